using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Storage.Configuration;
using QazBus.Storage.Outbox;
using QazBus.Storage.Tests.Support;
using QazBus.Wire;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.Outbox;

public sealed class OutboxOnPostgres(ITestOutputHelper output) : OutboxScenarios(StorageProvider.Postgres, output);

public sealed class OutboxOnSqlite(ITestOutputHelper output) : OutboxScenarios(StorageProvider.Sqlite, output);

/// <summary>The outbox and its relay, on a real database and broker.</summary>
public abstract class OutboxScenarios(StorageProvider provider, ITestOutputHelper output) : StorageScenario(provider, output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_rolled_back_transaction_publishes_nothing()
    {
        var harness = Harness();
        await harness.StartConsumerAsync();
        var publisher = await harness.StartPublisherAsync();

        var rolledBack = await harness.EnqueueAsync(publisher, [1], commit: false);
        var committed = await harness.EnqueueAsync(publisher, [2]);

        // The committed one arrives; the relay reads rows in order, so by then the rolled-back one would have too.
        await harness.WaitForEffectsAsync(1, Wait);
        await Task.Delay(500);
        Assert.Equal(committed, await Backend.StringsAsync($"SELECT message_id FROM {harness.Probe.Table}"));
        Assert.Equal(0, await Backend.CountAsync($"SELECT count(*) FROM {Backend.Table(harness.PublisherPrefix + "outbox")} WHERE message_id = '{rolledBack[0]}'"));
        Assert.Equal(0, await Backend.CountAsync($"SELECT count(*) FROM {Backend.Table(harness.ConsumerPrefix + "message_log")} WHERE message_id = '{rolledBack[0]}'"));
    }

    [Fact]
    public async Task A_relayed_message_is_the_wire_message_the_factory_built()
    {
        var harness = Harness();
        await using var plain = await harness.BindPlainQueueAsync();
        var publisher = await harness.StartPublisherAsync();
        var outbox = publisher.Services.GetRequiredService<IOutbox>();
        var time = new DateTimeOffset(2026, 11, 29, 10, 15, 30, 123, TimeSpan.FromHours(5)).AddTicks(4567);
        string id;
        await using (var connection = await Backend.OpenAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            id = await outbox.EnqueueAsync(
                transaction,
                new ItemRecorded { Run = harness.Run, Number = 7 },
                new Publishing.PublishOptions { CorrelationId = "APP-2026-0042", Time = time });
            await transaction.CommitAsync();
        }

        await plain.WaitForAsync(1, Wait);
        var (messageId, message, delivery) = plain.Received[0];
        Assert.Equal(id, messageId);
        Assert.Equal(7, message.Number);
        var properties = delivery.BasicProperties;
        Assert.Equal("APP-2026-0042", properties.CorrelationId);
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal("mju.storage-test.item-recorded", properties.Type);
        Assert.Equal(harness.PublisherSystem, properties.AppId);
        Assert.True(properties.Persistent);
        Assert.Equal(time.ToUnixTimeSeconds(), properties.Timestamp.UnixTime);
        string? Header(string name) => properties.Headers![name] is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
        Assert.Equal(id, Header(WireHeaders.Id));
        Assert.Equal(harness.PublisherSystem, Header(WireHeaders.Source));
        Assert.Equal("mju.storage-test.item-recorded", Header(WireHeaders.Type));
        Assert.Equal("urn:qazbus:contract:mju.storage-test.item-recorded:v1", Header(WireHeaders.DataSchema));
        Assert.Equal(time.ToString("O", System.Globalization.CultureInfo.InvariantCulture), Header(WireHeaders.Time));
        Assert.NotNull(Header(WireHeaders.TraceParent));
    }

    [Fact]
    public async Task Trace_context_is_stored_with_the_row_and_continued_by_the_relay_and_the_consumer()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "QazBus" or "QazBus.Storage.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("QazBus.Storage.Tests");

        var harness = Harness();
        await harness.StartConsumerAsync();
        var publisher = await harness.StartPublisherAsync();

        string id;
        ActivityTraceId traceId;
        using (var business = source.StartActivity("register citizen"))
        {
            traceId = business!.TraceId;
            id = (await harness.EnqueueAsync(publisher, [1]))[0];
        }

        await harness.WaitForEffectsAsync(1, Wait);
        var enqueue = await SpanAsync(spans, s => s.DisplayName.EndsWith(" enqueue", StringComparison.Ordinal) && Tag(s, "messaging.message.id") == id);
        var publish = await SpanAsync(spans, s => s.DisplayName.EndsWith(" publish", StringComparison.Ordinal) && Tag(s, "messaging.message.id") == id);
        var process = await SpanAsync(spans, s => s.DisplayName.EndsWith(" process", StringComparison.Ordinal) && Tag(s, "messaging.message.id") == id && s.DisplayName.StartsWith(harness.ConsumerQueue, StringComparison.Ordinal));

        // The row keeps the enqueue span's context ...
        var stored = await Backend.StringsAsync($"SELECT trace_parent FROM {Backend.Table(harness.PublisherPrefix + "outbox")} WHERE message_id = '{id}'");
        Assert.Equal(enqueue.Id, Assert.Single(stored));

        // ... the relay's publish span continues it, and the consumer joins the same trace.
        Assert.Equal(traceId, enqueue.TraceId);
        Assert.Equal(traceId, publish.TraceId);
        Assert.Equal(enqueue.SpanId, publish.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal(traceId, process.TraceId);
    }

    [Fact]
    public async Task Messages_of_one_ordering_key_are_published_in_enqueue_order_even_by_two_relays()
    {
        var harness = Harness();
        await using var plain = await harness.BindPlainQueueAsync();
        var settings = new Dictionary<string, string?> { ["QazBus:Storage:Relay:BatchSize"] = "7" };
        var sentBy = new[] { new ConcurrentBag<string>(), new ConcurrentBag<string>() };
        var first = await harness.StartPublisherAsync(settings, s => s.AddSingleton(new OutboxRelayHooks { AfterPublish = ids => Record(sentBy[0], ids) }));
        await harness.StartPublisherAsync(settings, s => s.AddSingleton(new OutboxRelayHooks { AfterPublish = ids => Record(sentBy[1], ids) }));

        // Four keys (say, four citizens) interleaved, and messages without a key in between.
        var keyed = Enumerable.Range(1, 120).ToList();
        var ids = await harness.EnqueueAsync(first, keyed, n => n % 5 == 0 ? null : $"iin-{n % 5}", perTransaction: 3);

        await plain.WaitForAsync(keyed.Count, Wait);
        Output.WriteLine($"relay 1 sent {sentBy[0].Count}, relay 2 sent {sentBy[1].Count}");
        await WriteDuplicatesAsync(harness, plain, sentBy);
        foreach (var group in plain.Received.Where(r => r.Message.Key is not null).GroupBy(r => r.Message.Key))
        {
            var numbers = group.Select(r => r.Message.Number).ToList();
            Assert.Equal(numbers.Order(), numbers);
        }

        Assert.Equal(keyed.Count, plain.Received.Select(r => r.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task Two_relays_on_one_database_send_no_row_twice()
    {
        const int count = 2000;
        var harness = Harness();
        await using var plain = await harness.BindPlainQueueAsync();
        var sentBy = new[] { new ConcurrentBag<string>(), new ConcurrentBag<string>() };
        var settings = new Dictionary<string, string?> { ["QazBus:Storage:Relay:BatchSize"] = "50" };
        var first = await harness.StartPublisherAsync(settings, s => s.AddSingleton(new OutboxRelayHooks { AfterPublish = ids => Record(sentBy[0], ids) }));
        await harness.StartPublisherAsync(settings, s => s.AddSingleton(new OutboxRelayHooks { AfterPublish = ids => Record(sentBy[1], ids) }));

        var ids = await harness.EnqueueAsync(first, Enumerable.Range(1, count), perTransaction: 20);

        await plain.WaitForAsync(count, TimeSpan.FromSeconds(60));
        await Task.Delay(1000); // a row sent twice would arrive about now
        Output.WriteLine($"relay 1 sent {sentBy[0].Count}, relay 2 sent {sentBy[1].Count}");

        // Each row was published by one relay, once ...
        Assert.Equal(count, sentBy[0].Count + sentBy[1].Count);
        Assert.Empty(sentBy[0].Intersect(sentBy[1]));
        Assert.Equal(ids.Order(), sentBy[0].Concat(sentBy[1]).Order());

        // ... and arrived once.
        var deliveries = plain.Received.GroupBy(r => r.MessageId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(ids.Order(), deliveries.Keys.Order());
        await WriteDuplicatesAsync(harness, plain, sentBy);
        Assert.All(deliveries, d => Assert.True(d.Value == 1, $"{d.Key} arrived {d.Value} times"));
    }

    [Fact]
    public async Task A_live_relay_slower_than_its_lease_keeps_its_rows_and_sends_none_twice()
    {
        const int count = 40;
        var harness = Harness();
        await using var plain = await harness.BindPlainQueueAsync();

        // The shortest publish timeout, so the shortest lease (2 s on SQLite). The first relay's first batch then
        // takes 5 s between the broker's confirms and marking it sent, as when the mark waits that long for
        // SQLite's write lock: the relay is alive all along and must keep its rows.
        var settings = new Dictionary<string, string?> { ["QazBus:Storage:Relay:PublishTimeout"] = "00:00:01" };
        var slow = new ConcurrentBag<string>();
        var sentBy = new[] { new ConcurrentBag<string>(), new ConcurrentBag<string>() };
        var batches = 0;
        var first = await harness.StartPublisherAsync(settings, s => s.AddSingleton(new OutboxRelayHooks
        {
            AfterPublish = async ids =>
            {
                await Record(sentBy[0], ids);
                if (Interlocked.Increment(ref batches) == 1)
                {
                    await Record(slow, ids);
                    await Task.Delay(TimeSpan.FromSeconds(5));
                }
            },
        }));
        var ids = await harness.EnqueueAsync(first, Enumerable.Range(1, count), perTransaction: count);
        await WaitUntilAsync(() => Task.FromResult(!slow.IsEmpty));

        // The second relay starts while the first holds the batch, and polls through the whole delay.
        await harness.StartPublisherAsync(settings, s => s.AddSingleton(new OutboxRelayHooks { AfterPublish = ids => Record(sentBy[1], ids) }));

        await plain.WaitForAsync(count, Wait);
        await Task.Delay(TimeSpan.FromSeconds(6)); // past the slow batch: a row taken over would arrive by now
        var outbox = Backend.Table(harness.PublisherPrefix + "outbox");
        var retried = await Backend.StringsAsync($"SELECT message_id FROM {outbox} WHERE attempts > 0");
        Output.WriteLine($"slow batch {slow.Count} rows; relay 1 sent {sentBy[0].Count}, relay 2 sent {sentBy[1].Count}; {retried.Count} retried: {string.Join(" | ", await Backend.StringsAsync($"SELECT DISTINCT last_error FROM {outbox} WHERE attempts > 0"))}");

        // A publish without the broker's confirm within the publish timeout (a loaded machine) is tried again and
        // may arrive twice: at-least-once by design, the inbox drops the copy. Any other row arrives once.
        Assert.Empty(sentBy[1].Intersect(slow).Except(retried));
        var deliveries = plain.Received.GroupBy(r => r.MessageId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(ids.Order(), deliveries.Keys.Order());
        Assert.All(deliveries.Where(d => !retried.Contains(d.Key)), d => Assert.True(d.Value == 1, $"{d.Key} arrived {d.Value} times"));
        await WaitUntilAsync(async () => await Backend.CountAsync($"SELECT count(*) FROM {outbox} WHERE sent_at IS NULL") == 0);
    }

    [Fact]
    public async Task A_relay_crash_between_publish_and_mark_yields_duplicates_that_the_inbox_drops()
    {
        const int count = 40;
        var harness = Harness();
        await harness.StartConsumerAsync();
        var crashes = 0;
        var crashed = new ConcurrentBag<string>();
        var publisher = await harness.StartPublisherAsync(
            new Dictionary<string, string?> { ["QazBus:Storage:Relay:PublishTimeout"] = "00:00:01" },
            s => s.AddSingleton(new OutboxRelayHooks
            {
                // The broker confirmed the batch; the relay "dies" before marking it sent, once.
                AfterPublish = ids =>
                {
                    if (Interlocked.Increment(ref crashes) == 1)
                    {
                        foreach (var id in ids)
                        {
                            crashed.Add(id);
                        }

                        throw new InvalidOperationException("simulated relay crash between publish and mark");
                    }

                    return Task.CompletedTask;
                },
            }));

        var ids = await harness.EnqueueAsync(publisher, Enumerable.Range(1, count), perTransaction: count);

        await harness.WaitForEffectsAsync(count, Wait);

        // The hook runs after the last confirm, on the relay's side; under load the consumer can finish handling
        // the batch first, so wait for the hook rather than expect it to have run already.
        await WaitUntilAsync(() => Task.FromResult(!crashed.IsEmpty));

        // Every message republished after the crash reached the consumer twice; the inbox dropped the second copy.
        var duplicates = new List<string>();
        await WaitUntilAsync(async () =>
        {
            duplicates = await Backend.StringsAsync($"SELECT message_id FROM {Backend.Table(harness.ConsumerPrefix + "message_log")} WHERE outcome = 'Duplicate'");
            return crashed.All(duplicates.Contains);
        });
        Assert.Empty(await harness.RepeatedEffectsAsync());
        Assert.Equal(count, await Backend.CountAsync($"SELECT count(*) FROM {harness.Probe.Table}"));
        Assert.Equal(ids.Order(), (await Backend.StringsAsync($"SELECT message_id FROM {harness.Probe.Table}")).Order());
        Output.WriteLine($"{crashed.Count} messages published before the crash, each delivered again and dropped by the inbox ({duplicates.Count} duplicates seen)");
    }

    [Fact]
    public async Task Sent_rows_kept_for_no_time_are_deleted_at_once()
    {
        var harness = Harness();
        await using var plain = await harness.BindPlainQueueAsync();
        var deleting = await harness.StartPublisherAsync(new Dictionary<string, string?> { ["QazBus:Storage:Outbox:SentRetention"] = "00:00:00" });
        await harness.EnqueueAsync(deleting, Enumerable.Range(1, 10), perTransaction: 10);
        await plain.WaitForAsync(10, Wait);
        await WaitUntilAsync(async () => await Backend.CountAsync($"SELECT count(*) FROM {Backend.Table(harness.PublisherPrefix + "outbox")}") == 0);
    }

    [Fact]
    public async Task The_backlog_probe_reports_unsent_rows_and_the_age_of_the_oldest()
    {
        var harness = Harness();
        var held = await harness.StartPublisherAsync(new Dictionary<string, string?> { ["QazBus:Storage:Relay:Enabled"] = "false" });
        var probe = held.Services.GetRequiredService<QazBus.Observation.IOutboxBacklogProbe>();
        Assert.Equal(new QazBus.Observation.OutboxBacklog(0, null), await probe.GetBacklogAsync(CancellationToken.None));

        await harness.EnqueueAsync(held, Enumerable.Range(1, 7), perTransaction: 7);
        await Task.Delay(200);
        var backlog = await probe.GetBacklogAsync(CancellationToken.None);
        Assert.Equal(7, backlog.Count);
        Assert.InRange(backlog.OldestAge!.Value, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task An_outbox_transaction_of_another_provider_is_refused_with_a_clear_message()
    {
        var harness = Harness();
        var publisher = await harness.StartPublisherAsync();
        var outbox = publisher.Services.GetRequiredService<IOutbox>();
        await using var other = Provider == StorageProvider.Postgres ? new SqliteBackend() : (StorageBackend)new PostgresBackend(await Servers.PostgresAsync());
        await using var connection = await other.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => outbox.EnqueueAsync(transaction, new ItemRecorded { Run = harness.Run, Number = 1 }));
        Assert.Contains("QazBus:Storage:Provider", error.Message, StringComparison.Ordinal);
    }

    private static Task Record(ConcurrentBag<string> bag, IReadOnlyList<string> ids)
    {
        foreach (var id in ids)
        {
            bag.Add(id);
        }

        return Task.CompletedTask;
    }

    // For a message that arrived twice: which relay sent it how often, and each delivery's publish sequence number
    // (a different one means the transport sent it again after a connection loss), and the rows that were retried.
    private async Task WriteDuplicatesAsync(StorageHarness harness, PlainQueue plain, ConcurrentBag<string>[] sentBy)
    {
        var twice = plain.Received.GroupBy(r => r.MessageId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        foreach (var id in twice)
        {
            Output.WriteLine($"{id} arrived twice; relay 1 sent it {sentBy[0].Count(s => s == id)}×, relay 2 {sentBy[1].Count(s => s == id)}×");
            foreach (var r in plain.Received.Where(r => r.MessageId == id))
            {
                Output.WriteLine($"  delivery tag {r.Delivery.DeliveryTag} redelivered {r.Delivery.Redelivered} seq {SeqNo(r.Delivery)} number {r.Message.Number} key {r.Message.Key}");
            }
        }

        if (twice.Count > 0)
        {
            Output.WriteLine($"attempts>0: {string.Join(",", await Backend.StringsAsync($"SELECT message_id || ':' || attempts FROM {Backend.Table(harness.PublisherPrefix + "outbox")} WHERE attempts > 0"))}");
        }
    }

    private static string SeqNo(RabbitMQ.Client.Events.BasicDeliverEventArgs delivery) =>
        delivery.BasicProperties.Headers?.TryGetValue("x-dotnet-pub-seq-no", out var seq) == true ? (seq is byte[] b ? Encoding.UTF8.GetString(b) : seq?.ToString() ?? "null") : "none";

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name) as string;

    private static async Task<Activity> SpanAsync(ConcurrentQueue<Activity> spans, Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var found = spans.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No matching span among: {string.Join(", ", spans.Select(s => s.DisplayName).Distinct())}");
            }

            await Task.Delay(50);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not become true within 20 s.");
            }

            await Task.Delay(100);
        }
    }
}
