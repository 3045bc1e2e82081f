using System.Text.Json.Serialization;

namespace QazBus.Schemas.Topology;

/// <summary>
/// A RabbitMQ definitions document, the format <c>rabbitmqctl import_definitions</c> and the management API's
/// <c>POST /api/definitions</c> load. Only the parts QazBus generates.
/// </summary>
public sealed record BrokerDefinitions
{
    /// <summary>The users: one per system.</summary>
    [JsonPropertyName("users")]
    public required IReadOnlyList<UserDefinition> Users { get; init; }

    /// <summary>The virtual host.</summary>
    [JsonPropertyName("vhosts")]
    public required IReadOnlyList<VhostDefinition> Vhosts { get; init; }

    /// <summary>Each system's configure, write and read patterns.</summary>
    [JsonPropertyName("permissions")]
    public required IReadOnlyList<PermissionDefinition> Permissions { get; init; }

    /// <summary>Policies applied by name pattern.</summary>
    [JsonPropertyName("policies")]
    public required IReadOnlyList<PolicyDefinition> Policies { get; init; }

    /// <summary>Contract, error-queue, delay and platform exchanges.</summary>
    [JsonPropertyName("exchanges")]
    public required IReadOnlyList<ExchangeDefinition> Exchanges { get; init; }

    /// <summary>Endpoint, error and delay queues.</summary>
    [JsonPropertyName("queues")]
    public required IReadOnlyList<QueueDefinition> Queues { get; init; }

    /// <summary>Subscriptions as bindings.</summary>
    [JsonPropertyName("bindings")]
    public required IReadOnlyList<BindingDefinition> Bindings { get; init; }
}

/// <summary>A broker user.</summary>
/// <param name="Name">The system id.</param>
/// <param name="PasswordHash">Base64 of salt ‖ SHA-256(salt ‖ password); empty: no password login until an operator sets one.</param>
/// <param name="HashingAlgorithm">Always <c>rabbit_password_hashing_sha256</c>.</param>
/// <param name="Tags">No management tags: systems are not administrators.</param>
public sealed record UserDefinition(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("password_hash")] string PasswordHash,
    [property: JsonPropertyName("hashing_algorithm")] string HashingAlgorithm,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags);

/// <summary>A virtual host.</summary>
/// <param name="Name">Its name.</param>
public sealed record VhostDefinition([property: JsonPropertyName("name")] string Name);

/// <summary>A user's permissions in a virtual host: three regular expressions over resource names.</summary>
/// <param name="User">The system id.</param>
/// <param name="Vhost">The virtual host.</param>
/// <param name="Configure">Resources the user may declare or delete.</param>
/// <param name="Write">Resources the user may publish to (exchanges) or bind (queues).</param>
/// <param name="Read">Resources the user may consume from (queues) or bind from (exchanges).</param>
public sealed record PermissionDefinition(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("vhost")] string Vhost,
    [property: JsonPropertyName("configure")] string Configure,
    [property: JsonPropertyName("write")] string Write,
    [property: JsonPropertyName("read")] string Read);

/// <summary>A policy.</summary>
/// <param name="Vhost">The virtual host.</param>
/// <param name="Name">Its name.</param>
/// <param name="Pattern">The names it applies to.</param>
/// <param name="ApplyTo"><c>queues</c> or <c>exchanges</c>.</param>
/// <param name="Definition">The settings.</param>
/// <param name="Priority">Higher wins when several match.</param>
public sealed record PolicyDefinition(
    [property: JsonPropertyName("vhost")] string Vhost,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("pattern")] string Pattern,
    [property: JsonPropertyName("apply-to")] string ApplyTo,
    [property: JsonPropertyName("definition")] IReadOnlyDictionary<string, object> Definition,
    [property: JsonPropertyName("priority")] int Priority);

/// <summary>An exchange.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Vhost">The virtual host.</param>
/// <param name="Type">Always <c>fanout</c> in QazBus.</param>
/// <param name="Durable">Always true.</param>
/// <param name="AutoDelete">Always false.</param>
/// <param name="Internal">Always false.</param>
/// <param name="Arguments">None.</param>
public sealed record ExchangeDefinition(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("vhost")] string Vhost,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("durable")] bool Durable,
    [property: JsonPropertyName("auto_delete")] bool AutoDelete,
    [property: JsonPropertyName("internal")] bool Internal,
    [property: JsonPropertyName("arguments")] IReadOnlyDictionary<string, object> Arguments);

/// <summary>A queue.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Vhost">The virtual host.</param>
/// <param name="Durable">Always true.</param>
/// <param name="AutoDelete">Always false.</param>
/// <param name="Arguments">The queue type (quorum) and, for delay queues, TTL and dead-lettering.</param>
public sealed record QueueDefinition(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("vhost")] string Vhost,
    [property: JsonPropertyName("durable")] bool Durable,
    [property: JsonPropertyName("auto_delete")] bool AutoDelete,
    [property: JsonPropertyName("arguments")] IReadOnlyDictionary<string, object> Arguments);

/// <summary>A binding of a queue to an exchange.</summary>
/// <param name="Source">The exchange.</param>
/// <param name="Vhost">The virtual host.</param>
/// <param name="Destination">The queue.</param>
/// <param name="DestinationType">Always <c>queue</c>.</param>
/// <param name="RoutingKey">Empty: fanout.</param>
/// <param name="Arguments">None.</param>
public sealed record BindingDefinition(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("vhost")] string Vhost,
    [property: JsonPropertyName("destination")] string Destination,
    [property: JsonPropertyName("destination_type")] string DestinationType,
    [property: JsonPropertyName("routing_key")] string RoutingKey,
    [property: JsonPropertyName("arguments")] IReadOnlyDictionary<string, object> Arguments);
