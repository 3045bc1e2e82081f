using QazBus.Contracts;
using QazBus.Naming;
using QazBus.Schemas.Registry;
using QazBus.Schemas.Topology;

namespace QazBus.Cli.Doctor;

/// <summary>One queue a system declares at start, and the exchanges the SDK binds it to.</summary>
/// <param name="Queue">The queue, <c>{agency}.{system}.{endpoint}</c>.</param>
/// <param name="Exchanges">The exchanges it is bound to, in the order the registry lists them.</param>
/// <param name="What">What the endpoint is, for the finding: its subscriptions, the queries it answers, or the reply queue.</param>
internal sealed record SystemEndpoint(string Queue, IReadOnlyList<string> Exchanges, string What);

/// <summary>
/// A system's flow on the bus as the registry gives it and the SDK carries it out: the queues it declares, with the
/// bindings its handlers make (including the older versions their upcasters receive), and the exchanges it writes to.
/// </summary>
/// <remarks>
/// The endpoints are what the host would declare if its handlers are the registry's subscriptions: the SDK binds a
/// v2 handler's queue to v1 as well when an upcaster exists (<see cref="Upcasters.Chain"/>, the same discovery the
/// SDK and <c>registry check</c> use), so the broker is asked for exactly those bindings, approved or not.
/// </remarks>
internal sealed class SystemFlow
{
    private SystemFlow(string system, IReadOnlyList<SystemEndpoint> endpoints, IReadOnlyList<string> writesTo)
    {
        System = system;
        Endpoints = endpoints;
        WritesTo = writesTo;
    }

    /// <summary>The system id.</summary>
    public string System { get; }

    /// <summary>The queues the system declares at start, each with its bindings.</summary>
    public IReadOnlyList<SystemEndpoint> Endpoints { get; }

    /// <summary>
    /// The exchanges the system publishes to and that must exist before it does: its contracts' versions, the requests
    /// of the queries it asks, the reply exchanges of the requesters it answers, and the platform's fault exchange.
    /// </summary>
    public IReadOnlyList<string> WritesTo { get; }

    /// <summary>
    /// The contract exchanges a system left at <c>ManagedTopology=false</c> would declare itself, first those it binds
    /// to, then those it publishes to: none of them is its own under the generated permissions.
    /// </summary>
    public IEnumerable<string> DeclaredWhenUnmanaged =>
        Endpoints.SelectMany(endpoint => endpoint.Exchanges.Where(exchange => exchange != endpoint.Queue))
            .Concat(WritesTo.Where(exchange => !exchange.EndsWith("." + BusNames.RepliesEndpoint, StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal);

    /// <summary>The flow of <paramref name="system"/> in <paramref name="registry"/>, with the upcasters of the contracts in code.</summary>
    public static SystemFlow Of(BusRegistry registry, string system, IReadOnlyList<ContractDescriptor> code)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(code);
        var endpoints = new List<SystemEndpoint>();
        foreach (var endpoint in registry.Subscriptions.Where(s => s.System == system).GroupBy(s => s.Endpoint, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var exchanges = endpoint.SelectMany(subscription => BoundBy(subscription, code)).Distinct(StringComparer.Ordinal).ToList();
            var what = string.Join(", ", endpoint.Select(s => $"{s.Contract} v{s.Version.ToString(CultureInfo.InvariantCulture)}"));
            endpoints.Add(new SystemEndpoint(BusNames.Queue(system, endpoint.Key), exchanges, $"receives {what}"));
        }

        var answered = registry.Queries.Where(q => q.Provider == system).ToList();
        foreach (var endpoint in answered.GroupBy(q => q.Endpoint, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var what = string.Join(", ", endpoint.Select(q => $"{q.Query} v{q.Version.ToString(CultureInfo.InvariantCulture)}"));
            endpoints.Add(new SystemEndpoint(
                BusNames.Queue(system, endpoint.Key),
                [.. endpoint.Select(q => BusNames.Exchange(q.Query, q.Version)).Distinct(StringComparer.Ordinal)],
                $"answers {what}"));
        }

        var asked = registry.Queries.Where(q => q.Requesters.Any(r => r.System == system)).ToList();
        if (asked.Count > 0)
        {
            // The durable reply queue is bound to its own fanout exchange of the same name, as the SDK declares it.
            var replies = BusNames.ReplyQueue(system);
            endpoints.Add(new SystemEndpoint(replies, [replies], "the reply queue of its asynchronous requests"));
        }

        var writesTo = registry.Contracts
            .Where(c => c.Publishers.Contains(system, StringComparer.Ordinal))
            .SelectMany(c => c.Versions.Select(v => BusNames.Exchange(c.Name, v.Version)))
            .Concat(asked.Select(q => BusNames.Exchange(q.Query, q.Version)))
            .Concat(answered.SelectMany(q => q.Requesters.Select(r => BusNames.ReplyQueue(r.System))))
            .Append(TopologyGenerator.FaultExchange)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new SystemFlow(system, endpoints, writesTo);
    }

    /// <summary>The subscribed version's exchange, and the exchange of every older version its handler receives through an upcaster.</summary>
    private static IEnumerable<string> BoundBy(RegistrySubscription subscription, IReadOnlyList<ContractDescriptor> code)
    {
        yield return BusNames.Exchange(subscription.Contract, subscription.Version);
        if (code.FirstOrDefault(c => c.Name == subscription.Contract && c.MajorVersion == subscription.Version) is { } record)
        {
            foreach (var (older, _) in Upcasters.Chain(record))
            {
                yield return older.Exchange;
            }
        }
    }
}
