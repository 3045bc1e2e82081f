using QazBus.Contracts;
using QazBus.Handling;
using QazBus.Naming;

namespace QazBus.Pipeline;

/// <summary>An endpoint: one queue of this system, and the contract versions its handlers receive there.</summary>
internal sealed class EndpointDefinition(string name)
{
    private string? _queue;

    private readonly Dictionary<string, Dictionary<int, MessageRoute>> _routes = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    /// <summary>The queue, <c>{agency}.{system}.{endpoint}</c>; known once the system id is bound at start-up.</summary>
    public string Queue => _queue ?? throw new InvalidOperationException($"Endpoint '{Name}' is not bound to a system yet.");

    public void Bind(string systemId) => _queue = BusNames.Queue(systemId, Name);

    public string ErrorQueue => BusNames.ErrorQueue(Queue);

    public IEnumerable<MessageRoute> Routes => _routes.Values.SelectMany(versions => versions.Values);

    /// <summary>
    /// The exchanges the queue is bound to: one per contract version received; the reply queue instead is bound to
    /// its own fanout exchange of the same name, where providers send the answers to this system's requests.
    /// </summary>
    public IReadOnlyCollection<string> Exchanges => IsReplies
        ? [Queue]
        : Routes.Select(route => route.WireContract.Exchange).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>True for the reply queue <c>{system}.replies</c> of asynchronous query answers.</summary>
    public bool IsReplies => Name == BusNames.RepliesEndpoint;

    /// <summary>True when this endpoint answers queries (its routes are query requests).</summary>
    public bool AnswersQueries { get; private set; }

    public void Add(MessageRoute route)
    {
        var query = route.WireContract.IsQuery;
        if (_routes.Count > 0 && query != AnswersQueries)
        {
            throw new InvalidOperationException(
                $"Endpoint '{Name}' cannot mix queries and events: give query handlers an endpoint of their own (answers must not wait behind events).");
        }

        AnswersQueries = query;
        if (!_routes.TryGetValue(route.WireContract.Name, out var versions))
        {
            versions = [];
            _routes[route.WireContract.Name] = versions;
        }

        if (!versions.TryAdd(route.WireContract.MajorVersion, route))
        {
            throw new InvalidOperationException(
                $"Endpoint '{Name}' already has a handler for contract '{route.WireContract.Name}' v{route.WireContract.MajorVersion}; one handler per contract version and endpoint.");
        }
    }

    public bool HandlesContract(string contractName) => _routes.ContainsKey(contractName);

    public bool TryGetRoute(string contractName, int version, out MessageRoute route)
    {
        route = null!;
        return _routes.TryGetValue(contractName, out var versions) && versions.TryGetValue(version, out route!);
    }

    public IEnumerable<int> VersionsOf(string contractName) =>
        _routes.TryGetValue(contractName, out var versions) ? versions.Keys.Order() : [];
}

/// <summary>How a contract version arriving at an endpoint reaches its handler.</summary>
/// <param name="WireContract">The contract version as it travels on the wire (what the body is deserialized as).</param>
/// <param name="HandlerContract">The version the handler takes; differs from the wire version when upcast.</param>
/// <param name="Upcast">Converts the wire version to the handler's version; identity when they are the same.</param>
/// <param name="Invoke">Resolves the handler from the scope and calls it with the (upcast) message.</param>
internal sealed record MessageRoute(
    ContractDescriptor WireContract,
    ContractDescriptor HandlerContract,
    Func<object, object> Upcast,
    Func<IServiceProvider, object, MessageContext, CancellationToken, Task> Invoke)
{
    /// <summary>
    /// For query requests and answers: handles the message with the whole receive context (its reply-to, deadline and
    /// request hash) instead of <see cref="Invoke"/>.
    /// </summary>
    public Func<ReceiveContext, Task>? Handle { get; init; }
}
