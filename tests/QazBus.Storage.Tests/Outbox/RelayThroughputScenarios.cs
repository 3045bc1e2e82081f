using System.Diagnostics;
using QazBus.Storage.Configuration;
using QazBus.Storage.Tests.Support;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.Outbox;

public sealed class RelayThroughputOnPostgres(ITestOutputHelper output) : RelayThroughputScenarios(StorageProvider.Postgres, output);

public sealed class RelayThroughputOnSqlite(ITestOutputHelper output) : RelayThroughputScenarios(StorageProvider.Sqlite, output);

/// <summary>
/// What the relay does with a backlog: rows enqueued while no relay runs, then one relay starts. Prints the figures
/// (the benchmark project compares them with the plain client); asserts only that everything arrived once.
/// </summary>
public abstract class RelayThroughputScenarios(StorageProvider provider, ITestOutputHelper output) : StorageScenario(provider, output)
{
    [Fact]
    public async Task A_backlog_of_5000_rows_is_relayed_in_batches_with_confirms_in_flight()
    {
        const int count = 5000;
        var harness = Harness();
        await using var plain = await harness.BindPlainQueueAsync();
        var enqueuer = await harness.StartPublisherAsync(new Dictionary<string, string?> { ["QazBus:Storage:Relay:Enabled"] = "false", ["QazBus:Storage:MessageLog:Enabled"] = "false" });
        var clock = Stopwatch.StartNew();
        await harness.EnqueueAsync(enqueuer, Enumerable.Range(1, count), perTransaction: 100);
        var enqueued = clock.Elapsed;

        clock.Restart();
        await harness.StartPublisherAsync(new Dictionary<string, string?> { ["QazBus:Storage:Outbox:SentRetention"] = "00:00:00" });
        await plain.WaitForAsync(count, TimeSpan.FromSeconds(120));
        var relayed = clock.Elapsed;

        Output.WriteLine($"{Provider}: enqueued {count} in {enqueued.TotalSeconds:F2} s ({count / enqueued.TotalSeconds:F0}/s, 100 per transaction); " +
                         $"relayed with confirms in {relayed.TotalSeconds:F2} s ({count / relayed.TotalSeconds:F0}/s, including the relay host's start and the message log)");
        Assert.Equal(count, plain.Received.Select(r => r.MessageId).Distinct().Count());
    }
}
