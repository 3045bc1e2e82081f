using System.Diagnostics;
using QazBus.Storage.Configuration;
using QazBus.Storage.Tests.Support;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.Outbox;

public sealed class BrokerOutageOnPostgres(ITestOutputHelper output) : BrokerOutageScenarios(StorageProvider.Postgres, output)
{
    protected override int Count => 10_000;
}

/// <summary>
/// SQLite commits are bound by fsync (about 300 a second on a CI disk, one per consumed message with the inbox), so
/// the embedded store gets the same scenario with fewer messages, to keep the suite's time reasonable.
/// </summary>
public sealed class BrokerOutageOnSqlite(ITestOutputHelper output) : BrokerOutageScenarios(StorageProvider.Sqlite, output)
{
    protected override int Count => 2_000;
}

/// <summary>
/// The broker dies while messages are enqueued and relayed. A private broker: killing the shared one would break
/// the other test assemblies running at the same time.
/// </summary>
public abstract class BrokerOutageScenarios(StorageProvider provider, ITestOutputHelper output) : StorageScenario(provider, output)
{
    /// <summary>How many messages: 10,000 on PostgreSQL.</summary>
    protected abstract int Count { get; }

    [Fact]
    public async Task Messages_enqueued_while_the_broker_is_killed_and_restarted_all_arrive_with_one_effect_each()
    {
        var count = Count;
        var broker = Own(await PrivateRabbitMq.StartNewAsync(Output.WriteLine));
        Output.WriteLine($"private broker {broker.Uri} (pid {broker.ProcessId}) in {broker.Home}");
        var harness = Harness(broker.Uri);
        await harness.StartConsumerAsync(new Dictionary<string, string?> { ["QazBus:ConcurrencyLimit"] = "16", ["QazBus:PrefetchCount"] = "128" });
        var publisher = await harness.StartPublisherAsync(new Dictionary<string, string?> { ["QazBus:RabbitMq:PublishRetryTimeout"] = "00:00:10" });

        var clock = Stopwatch.StartNew();
        var numbers = Enumerable.Range(1, count).ToList();
        var ids = await harness.EnqueueAsync(publisher, numbers.Take(count * 4 / 10), perTransaction: 100);

        // Mid-stream: the kill comes once messages flow end to end, from the outbox through the broker to the inbox.
        var flowing = Stopwatch.StartNew();
        while (harness.Probe.Handled < count / 10)
        {
            Assert.True(flowing.Elapsed < TimeSpan.FromSeconds(60), $"only {harness.Probe.Handled} of the first {count * 4 / 10} messages were handled within 60 s, before any fault");
            await Task.Delay(20);
        }

        Output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {count * 4 / 10} enqueued, {harness.Probe.Handled} handled; killing the broker (pid {broker.ProcessId})");
        await broker.KillAsync();

        // Business goes on while the broker is away: the outbox takes the messages.
        ids.AddRange(await harness.EnqueueAsync(publisher, numbers.Skip(count * 4 / 10).Take(count * 3 / 10), perTransaction: 100));
        Output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {count * 7 / 10} enqueued, {harness.Probe.Handled} handled; starting the broker again");
        await broker.StartAsync();
        var back = clock.Elapsed;
        Output.WriteLine($"{back.TotalSeconds:F1} s: broker back");
        ids.AddRange(await harness.EnqueueAsync(publisher, numbers.Skip(count * 7 / 10), perTransaction: 100));
        Output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {count} enqueued, {harness.Probe.Handled} handled");

        await harness.WaitForEffectsAsync(count, TimeSpan.FromSeconds(120));
        Output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: all {count} effects written ({(clock.Elapsed - back).TotalSeconds:F1} s after the broker came back)");

        Assert.Empty(await harness.RepeatedEffectsAsync());
        Assert.Equal(count, await Backend.CountAsync($"SELECT count(*) FROM {harness.Probe.Table}"));
        Assert.Equal(ids.Order(), (await Backend.StringsAsync($"SELECT message_id FROM {harness.Probe.Table}")).Order());
        Assert.Equal(0, await Backend.CountAsync($"SELECT count(*) FROM {Backend.Table(harness.PublisherPrefix + "outbox")} WHERE sent_at IS NULL"));
        var duplicates = await Backend.CountAsync($"SELECT count(*) FROM {Backend.Table(harness.ConsumerPrefix + "message_log")} WHERE outcome = 'Duplicate'");
        Output.WriteLine($"the inbox dropped {duplicates} duplicate deliveries caused by the outage");
    }
}
