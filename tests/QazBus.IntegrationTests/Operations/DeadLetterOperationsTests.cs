using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Observation;
using QazBus.Operations;
using QazBus.Publishing;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Operations;

/// <summary>What an operator does with failed messages, on the real broker: see why, fix, replay or discard.</summary>
public sealed class DeadLetterOperationsTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private static AddressChanged Sample(int i) => new()
    {
        Iin = $"9001023{i:D5}",
        NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = $"Mangilik El {i}" },
        ValidFrom = new DateOnly(2026, 12, 1),
    };

    [Fact]
    public async Task An_operator_lists_the_reasons_replays_a_fixed_message_and_discards_another_with_a_recorded_reason()
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var queue = $"{system}.address-changes";
        var broken = true;
        var sink = new MessageSink<AddressChanged> { FailWhen = _ => Volatile.Read(ref broken) };
        var faults = new MessageSink<MessageFaulted>();
        using var consumer = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            settings: new Dictionary<string, string?> { ["QazBus:Retry:ImmediateRetries"] = "1", ["QazBus:Retry:Delays"] = "none" },
            services: s => s.AddSingleton(sink));
        // The operations centre subscribes to faults like to any contract.
        using var operations = TestHosts.Build($"qazbus.ops-{TestHosts.Unique()}", Uri,
            bus => bus.AddHandler<MessageFaulted, RecordingHandler<MessageFaulted>>("faults"),
            services: s => s.AddSingleton(faults));
        using var registry = TestHosts.Build("mju.population-registry", Uri);
        await consumer.StartAsync();
        await operations.StartAsync();
        await registry.StartAsync();
        var publisher = registry.Services.GetRequiredService<IContractPublisher>();
        var first = await publisher.PublishAsync(Sample(1));
        var second = await publisher.PublishAsync(Sample(2));

        var (fault, _) = await faults.WaitForAsync((f, _) => f.MessageId == first);
        Assert.Equal("handler-failed", fault.Reason);
        Assert.Equal(queue, fault.Endpoint);
        Assert.Equal(2, fault.Attempts);
        await faults.WaitForAsync((f, _) => f.MessageId == second);

        var records = new RecordingObserver();
        await using var client = await ErrorQueueClient.ConnectAsync(new QazBus.Configuration.RabbitMqOptions { Uri = Uri }, [records]);
        var listed = await client.ListAsync(queue);
        Assert.Equal(new[] { first, second }.Order(), listed.Select(l => l.MessageId!).Order()); // handled concurrently: any order
        Assert.All(listed, l => Assert.Equal("handler-failed", l.Reason));
        Assert.All(listed, l => Assert.Contains("on purpose", l.Description, StringComparison.Ordinal));
        Assert.Equal(2, (await client.ListAsync(queue)).Count); // listing does not consume

        // The downstream system is fixed; the operator replays one message and discards the other.
        // What an operator types: the qazbus tool, as a separate process.
        var (listCode, listOutput) = await QazBusTool.RunAsync(Output, "errors", "list", queue, "--uri", Uri);
        Assert.Equal(0, listCode);
        Assert.Contains(first, listOutput, StringComparison.Ordinal);
        Assert.Contains(second, listOutput, StringComparison.Ordinal);
        Assert.Contains("handler-failed", listOutput, StringComparison.Ordinal);

        Volatile.Write(ref broken, false);
        var logFile = Path.Combine(Path.GetTempPath(), $"qazbus-operator-{TestHosts.Unique()}.db");
        var (replayCode, replayOutput) = await QazBusTool.RunAsync(Output, "errors", "replay", queue, "--id", first, "--by", "operator-aigerim", "--connection", $"Data Source={logFile}", "--uri", Uri);
        Assert.True(replayCode == 0, replayOutput);
        Assert.Contains("replayed 1 message", replayOutput, StringComparison.Ordinal);

        // The replay is in the message log, by whom, in the hash chain.
        await using (var log = new QazBus.Storage.MessageLog.MessageLogReader(new QazBus.Storage.Configuration.StorageOptions
        {
            Provider = QazBus.Storage.Configuration.StorageProvider.Sqlite,
            ConnectionString = $"Data Source={logFile}",
        }))
        {
            var entries = await log.FindAsync(new QazBus.Storage.MessageLog.MessageLogQuery { MessageId = first });
            Assert.Contains(entries, e => e.Reason == "replayed" && e.System == "operator:operator-aigerim");
        }
        var (_, replayed) = await sink.WaitForAsync((_, c) => c.MessageId == first);
        Assert.Equal(1, replayed.Attempt); // attempts start afresh
        Assert.Equal(1, await client.DiscardAsync(queue, new DeadLetterFilter { MessageId = second }, "duplicate of case 77, confirmed by the registry", "operator-aigerim"));
        Assert.Empty(await client.ListAsync(queue));

        // Replaying again is safe: nothing left to replay.
        Assert.Equal(0, await client.ReplayAsync(queue, new DeadLetterFilter { All = true }, "operator-aigerim"));
        Assert.Contains(records.Records, r => r.MessageId == second && r.Reason == "discarded: duplicate of case 77, confirmed by the registry");

        await Assert.ThrowsAsync<ArgumentException>(() => client.ReplayAsync(queue, new DeadLetterFilter(), "operator-aigerim"));

        await registry.StopAsync();
        await operations.StopAsync();
        await consumer.StopAsync();
        await using var connection = await Broker.CreateConnectionAsync();
        await BrokerProbe.DeleteEndpointAsync(connection, queue);
    }

    private sealed class RecordingObserver : IMessageObserver
    {
        public ConcurrentQueue<MessageRecord> Records { get; } = new();

        public ValueTask OnPublishedAsync(MessageRecord record, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnConsumedAsync(MessageRecord record, CancellationToken cancellationToken)
        {
            Records.Enqueue(record);
            return ValueTask.CompletedTask;
        }
    }
}
