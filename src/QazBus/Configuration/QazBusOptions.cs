namespace QazBus.Configuration;

/// <summary>The <c>QazBus</c> configuration section. Validated at start-up: a bad value stops the host naming its key.</summary>
/// <example>
/// <code>
/// "QazBus": {
///   "System": "kgd.tax-office",
///   "Transport": "RabbitMq",
///   "RabbitMq": { "Uri": "amqp://kgd-tax-office:secret@rabbit.qaztech.local:5672/qazbus" },
///   "PrefetchCount": 64,
///   "ConcurrencyLimit": 32
/// }
/// </code>
/// </example>
public sealed class QazBusOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "QazBus";

    /// <summary>This system's id, <c>{agency}.{system}</c>, for example <c>mju.population-registry</c>. Required.</summary>
    public string System { get; set; } = string.Empty;

    /// <summary>The transport: <see cref="TransportKind.InMemory"/> (the default, one process) or <see cref="TransportKind.RabbitMq"/>.</summary>
    public TransportKind Transport { get; set; } = TransportKind.InMemory;

    /// <summary>RabbitMQ settings, required when <see cref="Transport"/> is <see cref="TransportKind.RabbitMq"/>.</summary>
    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>How many unacknowledged messages the broker pushes to each endpoint at once. Default 64.</summary>
    public int PrefetchCount { get; set; } = 64;

    /// <summary>
    /// How many messages each endpoint handles at the same time. Default: 32: handlers wait on databases (the
    /// inbox alone is a transaction per message), so more in flight keeps the worker busy; see docs/performance.md.
    /// </summary>
    public int ConcurrencyLimit { get; set; } = 32;

    /// <summary>
    /// How long stopping waits for messages being handled to finish. Past it their handlers are cancelled (the inbox
    /// rolls their transaction back) and the messages return to the queue unacknowledged, for this or another worker:
    /// nothing is lost, and the inbox keeps a handler that finished anyway from having a second effect. Keep it below
    /// the host's <c>HostOptions.ShutdownTimeout</c> (30 s by default), which cancels everything when it runs out. Default 20 s.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The largest body accepted, in bytes; larger messages go to the error queue. Default 1 MiB.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>How often a warning is logged while a deprecated contract version is still used. Default 1 hour.</summary>
    public TimeSpan DeprecationWarningInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// True to let this system publish and handle draft contract versions (<c>[ContractDraft]</c>: under review, their
    /// schema may still change). Set it in development and test environments only. Default false: publishing a draft
    /// fails, and a handler for one stops the host at start, so a draft never reaches a production bus by accident.
    /// </summary>
    public bool AllowDraftContracts { get; set; }

    /// <summary>The retry policy applied to every handler of this system.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Message signing: each system signs what it sends; consumers verify against the registry's keys.</summary>
    public Signing.SigningOptions Signing { get; set; } = new();

    /// <summary>The kill switch that pauses an endpoint whose handler fails too often.</summary>
    public KillSwitchOptions KillSwitch { get; set; } = new();

    /// <summary>
    /// The registry file (<c>deploy/registry/registry.json</c>; a relative path is read from the working directory, or else from the application's directory),
    /// read at start by <c>UseRegistry()</c> of the QazBus.Schemas package: the approved requesters of the queries
    /// this system answers, and the public keys that signatures are verified against. Required with
    /// <c>UseRegistry()</c>, unused without it; a missing or invalid file stops the host naming its line.
    /// </summary>
    public string? Registry { get; set; }
}

/// <summary>Which broker the bus uses.</summary>
public enum TransportKind
{
    /// <summary>In-process broker: the embedded default for development, demos and pipeline tests. Nothing survives the process.</summary>
    InMemory,

    /// <summary>RabbitMQ: durable quorum queues, publisher confirms, manual acknowledgements.</summary>
    RabbitMq,
}

/// <summary>The <c>QazBus:RabbitMq</c> section.</summary>
public sealed class RabbitMqOptions
{
    /// <summary>The broker URI, <c>amqp://user:password@host:5672/vhost</c> or <c>amqps://…</c>. Keep the password out of source control.</summary>
    public string? Uri { get; set; }

    /// <summary>
    /// More nodes of the same RabbitMQ cluster, <c>host</c> or <c>host:port</c> each, beside the URI's host (the URI
    /// may also name several: <c>amqp://user:password@rabbit-1,rabbit-2,rabbit-3/vhost</c>). The client connects to
    /// any of them and, when its node dies, reconnects to another, re-declares its consumers and sends again every
    /// publish the broker had not confirmed. Credentials, vhost and TLS are the URI's.
    /// </summary>
    public List<string> Nodes { get; set; } = [];

    /// <summary>
    /// How many nodes hold a copy of each quorum queue (<c>x-quorum-initial-group-size</c>) when it is declared:
    /// 3 tolerates one node down (RabbitMQ's default and recommendation); a one-node broker holds one copy whatever
    /// this says. Default 3.
    /// </summary>
    public int QuorumReplicas { get; set; } = Naming.QueueArguments.DefaultQuorumReplicas;

    /// <summary>How long start-up keeps retrying while the broker is unreachable before the host fails. Default 60 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// True when the broker's topology comes from the registry's definitions (<c>qazbus topology</c>) and this
    /// system runs under the permissions generated with it: it then declares only its own queues and binds them,
    /// and never declares contract exchanges or delay queues. Default false (development: declare everything).
    /// </summary>
    public bool ManagedTopology { get; set; }

    /// <summary>TLS settings, used with an <c>amqps://</c> URI.</summary>
    public RabbitMqTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// How long a publish may take, the broker's confirm included: it keeps retrying while the connection is being
    /// recovered (on another node of a cluster), then throws a <see cref="System.TimeoutException"/>; also when a
    /// quorum queue without a majority of its nodes never confirms. Default 30 s.
    /// </summary>
    public TimeSpan PublishRetryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a message may come back to its queue unacknowledged (its consumer process died, the connection was
    /// cut) before it goes to the error queue with the reason <c>delivery-limit</c>: the defence against a message
    /// that crashes its consumer every time. Declared on each endpoint queue as <c>x-delivery-limit</c>. Default 20.
    /// </summary>
    public int DeliveryLimit { get; set; } = Naming.QueueArguments.DefaultDeliveryLimit;
}

/// <summary>The <c>QazBus:RabbitMq:Tls</c> section; TLS itself is switched on by an <c>amqps://</c> URI.</summary>
public sealed class RabbitMqTlsOptions
{
    /// <summary>The client certificate (PKCS#12 .pfx/.p12) for mutual TLS. Mount it as a secret.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>The client certificate's password; from the environment or a secret store, never a committed file.</summary>
    public string? ClientCertificatePassword { get; set; }

    /// <summary>A certificate authority (PEM or DER) to trust as the only root for the broker's certificate: the state PKI's CA.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>The name expected in the broker's certificate, when it differs from the URI's host.</summary>
    public string? ServerName { get; set; }
}

/// <summary>
/// The <c>QazBus:Retry</c> section: one retry policy for the whole system, overridable per contract or endpoint.
/// A failed handler is retried at once <see cref="ImmediateRetries"/> times, then redelivered after each of
/// <see cref="Delays"/>, then moved to the error queue. Permanent failures skip straight to the error queue.
/// </summary>
public sealed class RetryOptions
{
    /// <summary>How many times a failed handler is retried at once, in memory. Default 2.</summary>
    public int ImmediateRetries { get; set; } = 2;

    /// <summary>
    /// Delayed redeliveries after the immediate retries, as delay levels: <c>"10s, 1m, 10m"</c> (the default);
    /// <c>"none"</c> for none. Levels: 1s 2s 5s 10s 30s 1m 5m 10m 30m 1h 2h 6h 12h 24h.
    /// </summary>
    public string Delays { get; set; } = "10s, 1m, 10m";

    /// <summary>
    /// Full names of exception types that no retry can fix (a base type matches its subtypes), for example
    /// <c>System.ArgumentException</c>. Schema violations and deserialization errors are always permanent.
    /// </summary>
    public List<string> PermanentExceptions { get; set; } = [];

    /// <summary>Overrides by contract name, for example <c>Contracts:mju.population.address-changed:Delays</c>.</summary>
    public Dictionary<string, RetryOverride> Contracts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Overrides by endpoint name (the handler's endpoint); these win over contract overrides.</summary>
    public Dictionary<string, RetryOverride> Endpoints { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A per-contract or per-endpoint retry override; unset values inherit the system's policy.</summary>
public sealed class RetryOverride
{
    /// <summary>Overrides <see cref="RetryOptions.ImmediateRetries"/>.</summary>
    public int? ImmediateRetries { get; set; }

    /// <summary>Overrides <see cref="RetryOptions.Delays"/>.</summary>
    public string? Delays { get; set; }
}

/// <summary>
/// The <c>QazBus:KillSwitch</c> section: when too many messages of an endpoint fail (a downstream system is
/// down), the endpoint stops consuming for a pause instead of burning every message's retries.
/// </summary>
public sealed class KillSwitchOptions
{
    /// <summary>On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The failure ratio over the window that trips it. Default 0.2 (20 %).</summary>
    public double FailureRatio { get; set; } = 0.2;

    /// <summary>How many of the latest messages are looked at. Default 100.</summary>
    public int WindowSize { get; set; } = 100;

    /// <summary>No trip before this many messages were seen in the window. Default 20.</summary>
    public int MinimumMessages { get; set; } = 20;

    /// <summary>How long the endpoint pauses before it consumes again. Default 1 minute.</summary>
    public TimeSpan Pause { get; set; } = TimeSpan.FromMinutes(1);
}
