using Microsoft.Extensions.Options;
using Npgsql;
using QazBus.Storage.Configuration;
using QazBus.Storage.Tests.Support;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.Configuration;

/// <summary>
/// One bounded pool per storage database, against the real server: a bound below what the worker needs stops it at
/// start with both numbers; at exactly what it needs, a busy worker never holds more sessions than the bound.
/// </summary>
public sealed class ConnectionBudgetOnPostgres(ITestOutputHelper output) : StorageScenario(StorageProvider.Postgres, output)
{
    [Fact]
    public async Task A_bound_below_what_the_handlers_hold_stops_the_worker_at_start_naming_both_numbers()
    {
        var harness = Harness();
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => harness.StartConsumerAsync(new Dictionary<string, string?>
        {
            ["QazBus:ConcurrencyLimit"] = "16",
            ["QazBus:Storage:MaxConnections"] = "8",
        }));

        Output.WriteLine(refused.Message);
        Assert.Contains("QazBus:Storage:MaxConnections is 8", refused.Message, StringComparison.Ordinal);
        Assert.Contains("at least 21", refused.Message, StringComparison.Ordinal);
        Assert.Contains("QazBus:ConcurrencyLimit 16 × 1 endpoint(s)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_busy_worker_stays_within_its_bound_on_the_server()
    {
        const int count = 1_500;
        var application = $"qazbus-budget-{Guid.NewGuid():N}"[..30];
        var harness = Harness();
        await harness.StartConsumerAsync(new Dictionary<string, string?>
        {
            ["QazBus:ConcurrencyLimit"] = "16",
            ["QazBus:PrefetchCount"] = "64",
            ["QazBus:Storage:MaxConnections"] = "21", // exactly what it needs: 16 handlers + 5
            ["QazBus:Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(Backend.ConnectionString) { ApplicationName = application }.ConnectionString,
        });
        var publisher = await harness.StartPublisherAsync();

        // Sample the consumer's sessions on the server while the backlog drains.
        using var stop = new CancellationTokenSource();
        var most = 0L;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                most = Math.Max(most, await Backend.CountAsync($"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{application}'"));
                await Task.Delay(50);
            }
        });

        await harness.EnqueueAsync(publisher, Enumerable.Range(1, count), perTransaction: 100);
        await harness.WaitForEffectsAsync(count, TimeSpan.FromSeconds(120));
        await stop.CancelAsync();
        await sampler;

        Output.WriteLine($"{count} effects; at most {most} sessions of the consumer on the server (bound 21)");
        Assert.Empty(await harness.RepeatedEffectsAsync());
        Assert.InRange(most, 1, 21);
    }
}
