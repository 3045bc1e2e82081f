using QazBus.Schemas.Registry;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using QazBus.Naming;
using QazBus.Retry;
using QazBus.Topology;

namespace QazBus.Schemas.Topology;

/// <summary>
/// Turns the registry into RabbitMQ definitions: a vhost, one user per system with least-privilege permissions,
/// the contract exchanges, each subscription's quorum queue with its binding, each query's endpoint queue at its
/// provider bound to the request's exchange, each requester's reply queue, error queues, the delay levels, and
/// policies. Derived, never written by hand: a new subscription in the registry is a new binding after the next run.
/// </summary>
/// <remarks>
/// <para>
/// Each system may configure and read only its own resources, <c>{agency}.{system}.{endpoint}</c> and
/// <c>{agency}.{system}.{endpoint}_error</c> with one endpoint segment (its queues, error queues and their exchanges,
/// its query endpoints and its reply queue <c>{agency}.{system}.replies</c> among them); write to its own resources,
/// the exchanges of the contracts it is registered to publish, the request exchanges of the queries it is approved
/// to ask, the delay exchanges and the platform's fault exchange; and read (bind from) only the exchanges of the
/// contract versions it is subscribed to and of the queries it answers.
/// </para>
/// <para>
/// A query's provider also writes its answers: to each approved requester's reply exchange, and to the default
/// exchange (<c>amq.default</c>), which RabbitMQ's direct reply-to requires. No other system may write to the
/// default exchange, which reaches every queue by name. The query rights are the broker's to enforce: a system not
/// approved cannot publish the request at all.
/// </para>
/// <para>
/// The own pattern is exact rather than a bare prefix: a prefix <c>{agency}.{system}.</c> would also match every
/// exchange of a contract named <c>{agency}.{system}.…</c>, and the definitions must stay least-privilege even for a
/// registry that did not pass <c>registry check</c>.
/// </para>
/// </remarks>
public static class TopologyGenerator
{
    /// <summary>The exchange every system publishes its faults to.</summary>
    public const string FaultExchange = "qazbus.operations.message-faulted.v1";

    /// <summary>
    /// The default exchange as RabbitMQ's permissions name it. Direct reply-to answers are published to it with the
    /// requester's <c>amq.rabbitmq.reply-to.…</c> routing key; without write on it the broker refuses a provider's
    /// answer (403 "access to exchange 'amq.default' refused").
    /// </summary>
    private const string DefaultExchangePermission = @"amq\.default";

    private static readonly IReadOnlyDictionary<string, object> None = new Dictionary<string, object>();

    /// <summary>Generates the definitions.</summary>
    /// <param name="registry">A registry that passed <c>registry check</c>.</param>
    /// <param name="vhost">The virtual host, for example <c>qazbus</c>.</param>
    /// <param name="passwords">Passwords by system id; systems without one get no password login (set it later with rabbitmqctl).</param>
    /// <exception cref="InvalidOperationException">A system's own names would cover a contract exchange or a platform queue.</exception>
    public static BrokerDefinitions Generate(BusRegistry registry, string vhost, IReadOnlyDictionary<string, string>? passwords = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(vhost);
        passwords ??= new Dictionary<string, string>();

        var exchanges = new SortedDictionary<string, ExchangeDefinition>(StringComparer.Ordinal);
        var queues = new SortedDictionary<string, QueueDefinition>(StringComparer.Ordinal);
        var bindings = new List<BindingDefinition>();

        // Exactly the parts the transport declares (BusTopology), written as definitions.
        void Add(TopologyPart part)
        {
            foreach (var exchange in part.Exchanges)
            {
                exchanges[exchange.Name] = new ExchangeDefinition(exchange.Name, vhost, exchange.Type, exchange.Durable, exchange.AutoDelete, false, None);
            }

            foreach (var queue in part.Queues)
            {
                queues[queue.Name] = new QueueDefinition(queue.Name, vhost, queue.Durable, queue.AutoDelete, queue.Arguments);
            }

            bindings.AddRange(part.Bindings.Select(binding => new BindingDefinition(binding.Exchange, vhost, binding.Queue, "queue", binding.RoutingKey, None)));
        }

        foreach (var contract in registry.Contracts)
        {
            foreach (var version in contract.Versions)
            {
                Add(BusTopology.ContractExchange(BusNames.Exchange(contract.Name, version.Version)));
            }
        }

        Add(BusTopology.ContractExchange(FaultExchange));

        foreach (var delay in DelayLevels.All)
        {
            Add(BusTopology.DelayLevel(delay, QueueArguments.DefaultQuorumReplicas));
        }

        var endpoints = registry.Subscriptions
            .OrderBy(s => s.System, StringComparer.Ordinal).ThenBy(s => s.Endpoint, StringComparer.Ordinal)
            .GroupBy(s => BusNames.Queue(s.System, s.Endpoint), StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            // The delivery limit and replica count are the defaults; a system that configures another
            // QazBus:RabbitMq:DeliveryLimit or QuorumReplicas must be given matching definitions.
            Add(BusTopology.Endpoint(endpoint.Key, endpoint.Select(s => BusNames.Exchange(s.Contract, s.Version)), QueueArguments.DefaultDeliveryLimit, QueueArguments.DefaultQuorumReplicas));
        }

        // A query's requests wait at its provider's endpoint; the asynchronous answers at each requester's reply queue.
        foreach (var query in registry.Queries
            .OrderBy(q => q.Provider, StringComparer.Ordinal).ThenBy(q => q.Endpoint, StringComparer.Ordinal)
            .ThenBy(q => q.Query, StringComparer.Ordinal).ThenBy(q => q.Version))
        {
            Add(BusTopology.Endpoint(BusNames.Queue(query.Provider, query.Endpoint), [BusNames.Exchange(query.Query, query.Version)], QueueArguments.DefaultDeliveryLimit, QueueArguments.DefaultQuorumReplicas));
        }

        foreach (var requester in Requesters(registry).Order(StringComparer.Ordinal))
        {
            Add(BusTopology.Replies(requester, QueueArguments.DefaultDeliveryLimit, QueueArguments.DefaultQuorumReplicas));
        }

        var users = new List<UserDefinition>();
        var permissions = new List<PermissionDefinition>();
        foreach (var system in registry.Systems.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            users.Add(new UserDefinition(system.Id, passwords.TryGetValue(system.Id, out var password) ? HashPassword(password) : string.Empty, "rabbit_password_hashing_sha256", []));
            var own = OwnPattern(system.Id);
            RefuseForeignNamesMatching(system.Id, own, exchanges.Keys.Concat(queues.Keys), registry);
            var publishes = registry.Contracts
                .Where(c => c.Publishers.Contains(system.Id, StringComparer.Ordinal))
                .SelectMany(c => c.Versions.Select(v => BusNames.Exchange(c.Name, v.Version)));
            var subscribed = registry.Subscriptions
                .Where(s => s.System == system.Id)
                .Select(s => BusNames.Exchange(s.Contract, s.Version));
            var asks = registry.Queries
                .Where(q => q.Requesters.Any(r => r.System == system.Id))
                .Select(q => BusNames.Exchange(q.Query, q.Version));
            var answers = registry.Queries.Where(q => q.Provider == system.Id).ToList();
            var answersTo = answers.SelectMany(q => q.Requesters.Select(r => BusNames.ReplyQueue(r.System))).Order(StringComparer.Ordinal);

            // The cost of direct reply-to: write on the default exchange lets a provider publish to any queue by its
            // name, not only to the reply-to it was given. Granted only to providers, and every consumer verifies a
            // message's source, the contract's owner and its signature, so a message sent that way is refused as forged.
            string[] directReplyTo = answers.Count > 0 ? [DefaultExchangePermission] : [];
            permissions.Add(new PermissionDefinition(
                system.Id,
                vhost,
                Configure: Alternatives([own]),
                Write: Alternatives([own, .. publishes.Select(Regex.Escape), .. asks.Select(Regex.Escape), .. answersTo.Select(Regex.Escape), .. directReplyTo, @"qazbus\.delay\..*", Regex.Escape(FaultExchange)]),
                Read: Alternatives([own, .. subscribed.Select(Regex.Escape), .. answers.Select(q => Regex.Escape(BusNames.Exchange(q.Query, q.Version)))])));
        }

        return new BrokerDefinitions
        {
            Users = users,
            Vhosts = [new VhostDefinition(vhost)],
            Permissions = permissions,
            Policies =
            [
                // A flood of failures must not exhaust the broker: error queues are capped; when full, the broker
                // refuses the dead-letter publish, so the failing message stays in its own queue (nothing dropped).
                new PolicyDefinition(vhost, "qazbus-error-queues", "_error$", "queues",
                    new Dictionary<string, object> { ["max-length-bytes"] = 1L << 30, ["overflow"] = "reject-publish" }, 0),
            ],
            Exchanges = [.. exchanges.Values],
            Queues = [.. queues.Values],
            Bindings = [.. bindings.Distinct()],
        };
    }

    /// <summary>The definitions as indented JSON (LF, trailing newline), stable for committing.</summary>
    public static string ToJson(BrokerDefinitions definitions) =>
        JsonSerializer.Serialize(definitions, DefinitionsJson).ReplaceLineEndings("\n") + "\n";

    // RabbitMQ's own file format (snake_case names fixed by attributes), not a message body: the bus's JSON
    // setup does not apply. Relaxed escaping keeps the regexes readable in the committed file.
    private static readonly JsonSerializerOptions DefinitionsJson = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>RabbitMQ's <c>rabbit_password_hashing_sha256</c>: base64(salt ‖ SHA-256(salt ‖ UTF-8 password)), 4-byte random salt.</summary>
    public static string HashPassword(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(4);
        var salted = salt.Concat(Encoding.UTF8.GetBytes(password)).ToArray();
        return Convert.ToBase64String([.. salt, .. SHA256.HashData(salted)]);
    }

    /// <summary>
    /// The names a system owns, as a RabbitMQ permission regex (anchored by <see cref="Alternatives"/>):
    /// <c>{systemId}.{endpoint}</c> and <c>{systemId}.{endpoint}_error</c>, the endpoint one segment without dots.
    /// </summary>
    /// <remarks>
    /// The segment is <see cref="BusNames.IsValidEndpointName"/>'s rule. Without dots it cannot reach a contract
    /// exchange <c>{systemId}.{…}.v{major}</c>, and without '_' elsewhere only the error suffix is allowed.
    /// </remarks>
    private static string OwnPattern(string systemId) =>
        $"{Regex.Escape(systemId)}\\.[a-z0-9-]+({Regex.Escape(BusNames.ErrorQueueSuffix)})?";

    /// <summary>
    /// Fails closed when a name this generator declares, that the system does not own, still fits its own pattern:
    /// for example a system <c>mju.population</c> next to a contract named <c>mju.population</c> (exchange
    /// <c>mju.population.v1</c>), or a system <c>qazbus.delay</c> next to the delay queues. Such definitions would
    /// hand that system another party's resources. <c>registry check</c> refuses these ids; this is the backstop
    /// for a registry that was not checked.
    /// </summary>
    private static void RefuseForeignNamesMatching(string systemId, string own, IEnumerable<string> names, BusRegistry registry)
    {
        // The system's own endpoints: its subscriptions' queues, the endpoints of the queries it answers, and its
        // reply queue when it asks queries (each with its error queue; their exchanges bear the same names).
        var owned = registry.Subscriptions
            .Where(s => s.System == systemId)
            .Select(s => BusNames.Queue(s.System, s.Endpoint))
            .Concat(registry.Queries.Where(q => q.Provider == systemId).Select(q => BusNames.Queue(q.Provider, q.Endpoint)))
            .Concat(Requesters(registry).Where(r => r == systemId).Select(BusNames.ReplyQueue))
            .SelectMany(queue => new[] { queue, BusNames.ErrorQueue(queue) })
            .ToHashSet(StringComparer.Ordinal);
        var anchored = new Regex(Alternatives([own]), RegexOptions.CultureInvariant);
        var foreign = names.Where(name => !owned.Contains(name) && anchored.IsMatch(name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (foreign.Count > 0)
        {
            throw new InvalidOperationException(
                $"System '{systemId}' would be granted {string.Join(", ", foreign)}, which it does not own: rename the system (run 'qazbus registry check').");
        }
    }

    /// <summary>The systems approved to ask at least one query: each has a reply queue.</summary>
    private static IEnumerable<string> Requesters(BusRegistry registry) =>
        registry.Queries.SelectMany(q => q.Requesters.Select(r => r.System)).Distinct(StringComparer.Ordinal);

    private static string Alternatives(IEnumerable<string> patterns) => $"^({string.Join('|', patterns.Distinct())})$";
}
