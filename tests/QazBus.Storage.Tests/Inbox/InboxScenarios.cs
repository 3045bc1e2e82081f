using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using QazBus.Publishing;
using QazBus.Storage.Configuration;
using QazBus.Storage.Retention;
using QazBus.Storage.Tests.Support;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.Inbox;

public sealed class InboxOnPostgres(ITestOutputHelper output) : InboxScenarios(StorageProvider.Postgres, output);

public sealed class InboxOnSqlite(ITestOutputHelper output) : InboxScenarios(StorageProvider.Sqlite, output);

/// <summary>The inbox consume filter and its transaction, on a real database and broker.</summary>
public abstract class InboxScenarios(StorageProvider provider, ITestOutputHelper output) : StorageScenario(provider, output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_same_message_published_twice_has_one_effect()
    {
        var harness = Harness();
        await harness.StartConsumerAsync();
        var publisher = await harness.StartPublisherAsync();
        var bus = publisher.Services.GetRequiredService<IContractPublisher>();
        var id = Guid.CreateVersion7().ToString();

        // A sender that retries a publish after a lost confirm sends the same message again.
        await bus.PublishAsync(new ItemRecorded { Run = harness.Run, Number = 1 }, new PublishOptions { MessageId = id });
        await bus.PublishAsync(new ItemRecorded { Run = harness.Run, Number = 1 }, new PublishOptions { MessageId = id });
        await bus.PublishAsync(new ItemRecorded { Run = harness.Run, Number = 2 });

        await harness.WaitForEffectsAsync(2, Wait);
        await WaitForAsync(async () => await Backend.CountAsync(
            $"SELECT count(*) FROM {Backend.Table(harness.ConsumerPrefix + "message_log")} WHERE message_id = '{id}' AND outcome = 'Duplicate'") == 1);
        Assert.Equal(1, await Backend.CountAsync($"SELECT count(*) FROM {harness.Probe.Table} WHERE message_id = '{id}'"));
        Assert.Equal(1, await Backend.CountAsync(
            $"SELECT count(*) FROM {Backend.Table(harness.ConsumerPrefix + "inbox")} WHERE message_id = '{id}' AND endpoint = '{harness.ConsumerQueue}' AND source = '{harness.PublisherSystem}'"));
    }

    [Fact]
    public async Task A_failing_handler_rolls_back_its_effect_with_the_inbox_row_and_the_retry_applies_it_once()
    {
        var harness = Harness();
        harness.Probe.FailAfterWrite = (_, context) => context.Attempt == 1;
        await harness.StartConsumerAsync();
        var publisher = await harness.StartPublisherAsync();

        await harness.EnqueueAsync(publisher, [1]);

        await harness.WaitForEffectsAsync(1, Wait);
        await Task.Delay(300);
        Assert.Equal(1, await Backend.CountAsync($"SELECT count(*) FROM {harness.Probe.Table}"));
        Assert.Equal(1, harness.Probe.Handled);
    }

    [Fact]
    public async Task Retention_deletes_old_inbox_rows_and_old_sent_outbox_rows_only()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var harness = Harness();
        await harness.StartConsumerAsync();
        var publisher = await harness.StartPublisherAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        var ids = await harness.EnqueueAsync(publisher, [1, 2, 3], perTransaction: 3);
        await harness.WaitForEffectsAsync(3, Wait);
        var outbox = Backend.Table(harness.PublisherPrefix + "outbox");
        await WaitForAsync(async () => await Backend.CountAsync($"SELECT count(*) FROM {outbox} WHERE sent_at IS NOT NULL") == 3);

        var retention = publisher.Services.GetServices<IHostedService>().OfType<RetentionService>().Single();
        Assert.Equal((0, 0), await retention.RunOnceAsync(CancellationToken.None));

        // An hour later (the default SentRetention) the sent rows go; unsent ones would stay.
        // AdjustTime, not Advance: the retention service's own timer must not fire and race this pass.
        clock.AdjustTime(clock.GetUtcNow() + TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        Assert.Equal((3, 0), await retention.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await Backend.CountAsync($"SELECT count(*) FROM {outbox}"));

        // The consumer's inbox rows go after Inbox:Retention (7 days by default), not before. (It also holds rows of
        // other tests' messages on the shared exchange: all of them are of now.)
        var consumerInbox = Backend.Table(harness.ConsumerPrefix + "inbox");
        Assert.True(await Backend.CountAsync($"SELECT count(*) FROM {consumerInbox}") >= 3);
        await using var consumerRetention = Own(new RetentionProbe(Backend, harness.ConsumerPrefix));
        Assert.Equal(0, await consumerRetention.RunAsync(DateTimeOffset.UtcNow + TimeSpan.FromDays(6)));
        Assert.True(await consumerRetention.RunAsync(DateTimeOffset.UtcNow + TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1)) >= 3);
        Assert.Equal(0, await Backend.CountAsync($"SELECT count(*) FROM {consumerInbox} WHERE handled_at IS NOT NULL AND message_id IN ({string.Join(", ", ids.Select(id => $"'{id}'"))})"));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        // Generous: in CI every test assembly shares the 2 cores with the broker and PostgreSQL.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not become true within 60 s.");
            }

            await Task.Delay(100);
        }
    }
}

/// <summary>Runs the inbox store's retention delete against a storage, with a given "now".</summary>
internal sealed class RetentionProbe(StorageBackend backend, string prefix) : IAsyncDisposable
{
    private readonly Database.StorageDatabase _database = new Database.StorageDatabase(backend.Options(prefix));

    public Task<int> RunAsync(DateTimeOffset now) =>
        new QazBus.Storage.Inbox.InboxStore(_database, TimeProvider.System).DeleteOlderAsync(now - TimeSpan.FromDays(7), 5000, CancellationToken.None);

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
