using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QazBus.Contracts.Population;
using QazBus.IntegrationTests.Faults;
using QazBus.Publishing;
using QazBus.Runtime;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Cluster;

/// <summary>
/// What the cluster tests share: a vhost of their own on the three-node cluster, an inbox consumer that writes one
/// effect row per handled message (the count that proves "0 lost, 0 double effects"), direct publishers that record
/// every publish that returned, and a cluster made whole again after each test.
/// </summary>
[Collection(ClusterFixture.CollectionName)]
public abstract class ClusterTest(ClusterFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<IHost> _hosts = [];
    private TestVirtualHost? _vhost;

    protected RabbitMqCluster Cluster { get; } = fixture.Cluster;

    protected ITestOutputHelper Output { get; } = output;

    protected Stopwatch Clock { get; } = Stopwatch.StartNew();

    protected string Unique { get; } = TestHosts.Unique();

    /// <summary>The test's vhost on the cluster, all three nodes in the URI.</summary>
    protected string Uri => _vhost!.Uri;

    protected string VirtualHost => Uri[(Uri.LastIndexOf('/') + 1)..];

    protected string PostgresConnectionString => fixture.Postgres.ConnectionString;

    public async Task InitializeAsync()
    {
        await Cluster.EnsureWholeAsync(Log);
        _vhost = await Cluster.CreateVirtualHostAsync();
        Log($"using {_vhost.Description}");
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
            host.Dispose();
        }

        // The next test starts from three running nodes, whatever this one left behind.
        await Cluster.EnsureWholeAsync(Log);
        if (_vhost is not null)
        {
            await _vhost.DisposeAsync();
        }
    }

    protected void Log(string line) => Output.WriteLine($"{Clock.Elapsed.TotalSeconds,6:F1} s  {line}");

    protected Dictionary<string, string?> StorageSettings() => new()
    {
        ["QazBus:Storage:Provider"] = "Postgres",
        ["QazBus:Storage:ConnectionString"] = PostgresConnectionString,
    };

    /// <summary>Starts an inbox consumer of AddressChanged whose handler writes an effect row in the inbox's transaction.</summary>
    protected async Task<(string Queue, EffectTable Effects)> StartConsumerAsync()
    {
        var effects = await EffectTable.CreateAsync(PostgresConnectionString, $"effects_{Unique}");
        var system = $"kgd.cluster-{Unique}";
        var settings = StorageSettings();
        settings["QazBus:KillSwitch:Pause"] = "00:00:05";
        var consumer = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, EffectHandler>("address-changes").AddStorage(o => o.Schema = $"inbox_{Unique}"),
            settings, s => s.AddSingleton(effects));
        _hosts.Add(consumer);
        await consumer.StartAsync();
        return ($"{system}.address-changes", effects);
    }

    /// <summary>Starts a sender; <paramref name="configure"/> adds storage (the outbox) or settings.</summary>
    protected async Task<IHost> StartSenderAsync(string system, Action<QazBusBuilder>? configure = null, IDictionary<string, string?>? settings = null)
    {
        var sender = TestHosts.Build(system, Uri, configure, settings);
        _hosts.Add(sender);
        await sender.StartAsync();
        return sender;
    }

    /// <summary>The node a connection of <paramref name="clientName"/> is on, waiting up to 10 s for it to show in the management API.</summary>
    protected async Task<int> NodeOfAsync(string clientName)
    {
        for (var i = 0; i < 50; i++)
        {
            if (await Cluster.NodeOfConnectionAsync(VirtualHost, clientName) is { } node)
            {
                return node;
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"no connection named '{clientName}' in vhost {VirtualHost}");
    }

    /// <summary>Asserts that every id in <paramref name="expected"/> has exactly one effect and no id has two.</summary>
    protected async Task AssertExactlyOnceAsync(EffectTable effects, IReadOnlyCollection<string> expected, string queue)
    {
        await Progress.UntilAsync($"{expected.Count} effects", async () => (await effects.MissingAsync(expected)).Count == 0,
            async () => $"{await effects.CountAsync()} effects ({await effects.DistinctAsync()} distinct) of {expected.Count}; leader of {queue}: node {await Cluster.LeaderOfAsync(VirtualHost, queue)}",
            null, Log);
        var doubles = await effects.DoublesAsync();
        Assert.True(doubles.Count == 0, $"{doubles.Count} messages had two effects (the inbox let a redelivery or re-publish through): {string.Join(", ", doubles.Take(5))}");
        Log($"0 lost, 0 double effects: {await effects.CountAsync()} effects for {expected.Count} messages");
    }

    /// <summary>
    /// Direct publishes (no outbox) from <paramref name="publishers"/> loops; each one that returned was confirmed by
    /// a majority of the queue's nodes and must have its effect; each one that threw is counted, never silent.
    /// </summary>
    protected sealed class PublishRecorder(IContractPublisher publisher)
    {
        private int _next = -1;

        public ConcurrentBag<string> Confirmed { get; } = [];

        public ConcurrentBag<Exception> Failed { get; } = [];

        /// <summary>The longest a publish took: how long the flow stood still while the cluster recovered.</summary>
        public TimeSpan Longest { get; private set; }

        public Task PublishAsync() => PublishAsync(Interlocked.Increment(ref _next));

        private async Task PublishAsync(int i)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                Confirmed.Add(await publisher.PublishAsync(Messages.Address(i)));
            }
#pragma warning disable CA1031 // every failed publish is counted and reported
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Failed.Add(ex);
            }

            var took = Stopwatch.GetElapsedTime(started);
            lock (this)
            {
                if (took > Longest)
                {
                    Longest = took;
                }
            }
        }

        public Task LoopsAsync(int loops, int count) => Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < count)
            {
                await PublishAsync(i);
            }
        })));

        public string Report() => $"{Confirmed.Count} confirmed, {Failed.Count} threw";
    }
}
