using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Faults;

/// <summary>
/// The network between a worker and the broker is cut mid-stream (a TCP proxy in the test drops every connection
/// and refuses new ones), then restored: the worker reconnects by itself and goes on consuming and publishing,
/// without a restart; every publish that returned is handled exactly once in effect.
/// </summary>
public sealed class NetworkCutTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const int Count = 3_000;

    [Fact]
    public async Task Cutting_the_network_mid_stream_the_worker_reconnects_and_nothing_is_lost_or_doubled()
    {
        await using var postgres = new PostgresFixture();
        await postgres.InitializeAsync();
        var unique = TestHosts.Unique();
        var effects = await EffectTable.CreateAsync(postgres.ConnectionString, $"cut_{unique}");
        var broker = new Uri(Uri);
        await using var proxy = new TcpProxy(broker.Host, broker.Port);

        // One worker that both publishes and consumes (a system of the contract's owner agency), all through the proxy.
        var system = $"mju.net-cut-{unique}";
        var queue = $"{system}.address-changes";
        using var worker = TestHosts.Build(system, proxy.Rewrite(Uri),
            bus => bus.AddHandler<AddressChanged, EffectHandler>("address-changes").AddStorage(o => o.Schema = $"cut_inbox_{unique}"),
            new Dictionary<string, string?>
            {
                ["QazBus:Storage:Provider"] = "Postgres",
                ["QazBus:Storage:ConnectionString"] = postgres.ConnectionString,
                ["QazBus:KillSwitch:Enabled"] = "false",
            },
            s => s.AddSingleton(effects));
        await worker.StartAsync();
        var publisher = worker.Services.GetRequiredService<IContractPublisher>();

        var confirmed = new ConcurrentBag<string>();
        var failed = new ConcurrentBag<Exception>();
        var next = -1;
        async Task PublishLoopAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Count)
            {
                try
                {
                    confirmed.Add(await publisher.PublishAsync(Messages.Address(i)));
                    await Task.Delay(5); // a steady flow, so the cut falls in the middle of it
                }
#pragma warning disable CA1031 // every failed publish is reported
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failed.Add(ex);
                }
            }
        }

        var loops = Enumerable.Range(0, 8).Select(_ => Task.Run(PublishLoopAsync)).ToArray();
        async Task<string> Report() => $"published {confirmed.Count} (threw {failed.Count}), effects {await effects.CountAsync()} (distinct {await effects.DistinctAsync()}), proxy connections {proxy.Accepted}; queue {await Broker.QueueStateAsync(queue)}";
        async Task<string> Diagnose() => $"\n  sessions:{await effects.SessionsAsync()}";
        await Progress.UntilAsync("a third of the stream", async () => await effects.CountAsync() >= Count / 3, Report, Diagnose, Output.WriteLine);

        var connectionsBefore = proxy.Accepted;
        proxy.Cut();
        var clock = Stopwatch.StartNew();
        var atCut = await effects.CountAsync();
        Output.WriteLine($"network cut: {await Report()}");
        await Task.Delay(TimeSpan.FromSeconds(5));
        var duringCut = await effects.CountAsync();
        proxy.Restore();
        Output.WriteLine($"network restored after {clock.Elapsed.TotalSeconds:F1} s: {await Report()}");

        await Progress.UntilAsync("effects after the cut", async () => await effects.CountAsync() > duringCut + 50, Report, Diagnose, Output.WriteLine);
        Output.WriteLine($"recovered: consuming again {clock.Elapsed.TotalSeconds - 5:F1} s after the network came back; {proxy.Accepted - connectionsBefore} new connections");
        await Task.WhenAll(loops);
        var expected = confirmed.ToList();
        await Progress.UntilAsync("an effect for every returned publish", async () => await effects.DistinctAsync() >= expected.Count, Report, Diagnose, Output.WriteLine);
        await Task.Delay(1000);

        Assert.True(atCut < Count, "the stream ended before the cut; the test proves nothing");
        Assert.True(proxy.Accepted > connectionsBefore, "the worker never reconnected through the proxy");
        Assert.Empty(failed);
        Assert.Empty(await effects.MissingAsync(expected));
        Assert.Empty(await effects.DoublesAsync());
        Assert.Equal(Count, await effects.CountAsync());
        await worker.StopAsync();
        await using var connection = await Broker.CreateConnectionAsync();
        await BrokerProbe.DeleteEndpointAsync(connection, queue);
    }
}
