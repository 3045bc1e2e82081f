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

    /// <summary>
    /// Starts an inbox consumer of AddressChanged whose handler writes an effect row in the inbox's transaction and
    /// can be held (<see cref="HandlerHold"/>) to leave a handled message unacknowledged when a node dies.
    /// </summary>
    protected async Task<Consumer> StartConsumerAsync()
    {
        var effects = await EffectTable.CreateAsync(PostgresConnectionString, $"effects_{Unique}");
        var system = $"kgd.cluster-{Unique}";
        return await StartConsumerAsync(system, effects);
    }

    /// <summary>
    /// Starts the consumer until its consume connection is on the node <paramref name="wanted"/> names. The client
    /// picks a node of the URI at random (it spreads agencies over the cluster, as it should), and a node-loss test
    /// needs the consumer on the node it kills, so that a handled message is left unacknowledged there.
    /// </summary>
    protected Task<Consumer> StartConsumerOnAsync(Func<Consumer, Task<int>> wanted)
    {
        Consumer? first = null;
        return PlaceAsync("consumer",
            async () => first is null ? first = await StartConsumerAsync() : await StartConsumerAsync(first.System, first.Effects),
            consumer => consumer.Host, consumer => consumer.ConsumeConnection, wanted);
    }

    private async Task<Consumer> StartConsumerAsync(string system, EffectTable effects)
    {
        var hold = new HandlerHold();
        var deliveries = new DeliveryLog();
        var settings = StorageSettings();
        settings["QazBus:KillSwitch:Pause"] = "00:00:05";
        var host = TestHosts.Build(system, Uri,
            bus => bus.AddConsumeFilter<DeliveryLogFilter>()
                .AddHandler<AddressChanged, HeldEffectHandler>("address-changes")
                .AddStorage(o => o.Schema = $"inbox_{Unique}"),
            settings, s => s.AddSingleton(effects).AddSingleton(hold).AddSingleton(deliveries));
        _hosts.Add(host);
        await host.StartAsync();
        return new Consumer(system, $"{system}.address-changes", effects, hold, deliveries, host);
    }

    /// <summary>
    /// Holds the next handled message (effect written, not committed, not acknowledged) and returns its id; kill the
    /// consumer's node next, then call <see cref="ReleaseAfterReconnectAsync"/>.
    /// </summary>
    protected async Task<string> HoldOneAsync(Consumer consumer)
    {
        consumer.Hold.Arm();
        var held = await consumer.Hold.Held.WaitAsync(TimeSpan.FromSeconds(30));
        Log($"holding the handler of message {held}: handled, not yet acknowledged");
        return held;
    }

    /// <summary>Waits until the consumer is connected to a node other than <paramref name="killedNode"/>, then lets the held handler finish.</summary>
    protected async Task ReleaseAfterReconnectAsync(Consumer consumer, int killedNode)
    {
        var moved = await ReconnectedAsync(consumer.ConsumeConnection, killedNode);
        Log($"the consumer reconnected to node {moved.Node} {moved.After.TotalSeconds:F1} s after the kill; releasing the held handler (its delivery died with the node, so the message must come again)");
        consumer.Hold.Release();
    }

    /// <summary>
    /// Waits until the held message came a second time: the redelivery the inbox must drop (without the inbox it is
    /// a second effect, which <see cref="AssertExactlyOnceAsync"/> then finds).
    /// </summary>
    protected async Task AssertRedeliveredAsync(Consumer consumer, string held)
    {
        await Progress.UntilAsync($"message {held} to come again", () => Task.FromResult(consumer.Deliveries.Of(held) >= 2),
            () => Task.FromResult($"delivered {consumer.Deliveries.Of(held)} times"), null, Log);
        Log($"message {held} was delivered {consumer.Deliveries.Of(held)} times");
    }

    /// <summary>The node <paramref name="clientName"/> is connected to once it has left <paramref name="killedNode"/>, and how long that took.</summary>
    protected async Task<(int Node, TimeSpan After)> ReconnectedAsync(string clientName, int killedNode)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if ((await Cluster.NodesOfConnectionAsync(VirtualHost, clientName)).FirstOrDefault(n => n != killedNode) is var node and > 0)
            {
                return (node, clock.Elapsed);
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"'{clientName}' did not reconnect to another node within 60 s of node {killedNode}'s death");
    }

    /// <summary>Starts a sender; <paramref name="configure"/> adds storage (the outbox) or settings.</summary>
    protected async Task<IHost> StartSenderAsync(string system, Action<QazBusBuilder>? configure = null, IDictionary<string, string?>? settings = null)
    {
        var sender = TestHosts.Build(system, Uri, configure, settings);
        _hosts.Add(sender);
        await sender.StartAsync();
        return sender;
    }

    /// <summary>
    /// Starts a direct sender until its connection is on <paramref name="node"/> (the client picks a node at random):
    /// a node-loss test kills the node under in-flight publishes, which must be sent again, not thrown.
    /// </summary>
    protected Task<IHost> StartSenderOnAsync(string system, int node, IDictionary<string, string?>? settings = null) =>
        PlaceAsync("sender", () => StartSenderAsync(system, settings: settings), sender => sender, _ => system, _ => Task.FromResult(node));

    /// <summary>
    /// Starts a client until its connection is on the node <paramref name="wanted"/> names, stopping each one that
    /// landed elsewhere: the one placement loop of the consumer and the sender.
    /// </summary>
    private async Task<T> PlaceAsync<T>(string what, Func<Task<T>> start, Func<T, IHost> host, Func<T, string> connection, Func<T, Task<int>> wanted)
    {
        for (var attempt = 1; attempt <= 30; attempt++)
        {
            var client = await start();
            var node = await wanted(client);
            if (await NodeOfAsync(connection(client)) == node)
            {
                Log($"the {what} is on node {node} (start {attempt})");
                return client;
            }

            await StopAsync(host(client), connection(client));
        }

        throw new InvalidOperationException($"the {what} did not land on the wanted node in 30 starts");
    }

    /// <summary>
    /// The node of the one connection named <paramref name="clientName"/>, waiting up to 10 s until the management
    /// API lists exactly one (a new connection shows with a delay; so does the removal of a closed one).
    /// </summary>
    protected async Task<int> NodeOfAsync(string clientName)
    {
        IReadOnlyList<int> nodes = [];
        for (var i = 0; i < 50; i++)
        {
            nodes = await Cluster.NodesOfConnectionAsync(VirtualHost, clientName);
            if (nodes.Count == 1)
            {
                return nodes[0];
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"not exactly one connection named '{clientName}' in vhost {VirtualHost} within 10 s: on nodes [{string.Join(", ", nodes)}]");
    }

    /// <summary>
    /// Stops and disposes a host started for placement, and waits until its connection <paramref name="connectionName"/>
    /// is gone from the management API, so the next start's node is not read from the old entry.
    /// </summary>
    private async Task StopAsync(IHost host, string connectionName)
    {
        await host.StopAsync(TimeSpan.FromSeconds(10));
        host.Dispose();
        _hosts.Remove(host);
        var clock = Stopwatch.StartNew();
        while ((await Cluster.NodesOfConnectionAsync(VirtualHost, connectionName)).Count > 0)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"the connection '{connectionName}' of a stopped host is still listed 30 s later");
            }

            await Task.Delay(200);
        }
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

    /// <summary>The consumer a test counts effects of.</summary>
    protected sealed record Consumer(string System, string Queue, EffectTable Effects, HandlerHold Hold, DeliveryLog Deliveries, IHost Host)
    {
        /// <summary>The name of the connection the consumer receives on (the transport keeps publishing on another).</summary>
        public string ConsumeConnection => $"{System} (consume)";
    }

    /// <summary>
    /// Direct publishes (no outbox) from <paramref name="publishers"/> loops; each one that returned was confirmed by
    /// a majority of the queue's nodes and must have its effect; each one that threw is counted, never silent.
    /// </summary>
    protected sealed class PublishRecorder(IContractPublisher publisher)
    {
        private readonly ConcurrentDictionary<string, int> _failedIds = new();
        private int _next = -1;

        public ConcurrentBag<string> Confirmed { get; } = [];

        public ConcurrentBag<Exception> Failed { get; } = [];

        /// <summary>The ids whose publish threw and was not yet sent again successfully.</summary>
        public IReadOnlyCollection<string> Unconfirmed => [.. _failedIds.Keys];

        /// <summary>How many message numbers were handed out so far.</summary>
        public int Issued => Volatile.Read(ref _next) + 1;

        /// <summary>The longest a publish took: how long the flow stood still while the cluster recovered.</summary>
        public TimeSpan Longest { get; private set; }

        public Task PublishAsync() => PublishAsync(Interlocked.Increment(ref _next), Guid.CreateVersion7().ToString());

        /// <summary>
        /// Publishes again, with the same message ids, every message whose publish threw: what a caller does with
        /// the error's advice ("the message may not be stored: publish it again"). Returns how many were confirmed.
        /// </summary>
        public async Task<int> ResendUnconfirmedAsync()
        {
            var confirmed = 0;
            foreach (var (id, index) in _failedIds.ToArray())
            {
                if (await PublishAsync(index, id))
                {
                    _failedIds.TryRemove(id, out _);
                    confirmed++;
                }
            }

            return confirmed;
        }

        private async Task<bool> PublishAsync(int i, string id)
        {
            var started = Stopwatch.GetTimestamp();
            var ok = false;
            try
            {
                Confirmed.Add(await publisher.PublishAsync(Messages.Address(i), new PublishOptions { MessageId = id }));
                ok = true;
            }
#pragma warning disable CA1031 // every failed publish is counted and reported
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Failed.Add(ex);
                _failedIds[id] = i;
            }

            var took = Stopwatch.GetElapsedTime(started);
            lock (this)
            {
                if (took > Longest)
                {
                    Longest = took;
                }
            }

            return ok;
        }

        public Task LoopsAsync(int loops, int count) => Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < count)
            {
                await PublishAsync(i, Guid.CreateVersion7().ToString());
            }
        })));

        public string Report() => $"{Confirmed.Count} confirmed, {Failed.Count} threw";
    }
}
