namespace QazBus.Configuration;

/// <summary>The <c>QazBus</c> configuration section. Validated at start-up: a bad value stops the host naming its key.</summary>
/// <example>
/// <code>
/// "QazBus": {
///   "System": "kgd.tax-office",
///   "Transport": "RabbitMq",
///   "RabbitMq": { "Uri": "amqp://kgd-tax-office:secret@rabbit.qaztech.local:5672/qazbus" },
///   "PrefetchCount": 64,
///   "ConcurrencyLimit": 8
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

    /// <summary>How many messages each endpoint handles at the same time. Default: 8.</summary>
    public int ConcurrencyLimit { get; set; } = 8;

    /// <summary>The largest body accepted, in bytes; larger messages go to the error queue. Default 1 MiB.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>The retry policy applied to every handler of this system.</summary>
    public RetryOptions Retry { get; set; } = new();
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

    /// <summary>How long start-up keeps retrying while the broker is unreachable before the host fails. Default 60 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a publish keeps retrying while the connection is being recovered. Default 30 s.</summary>
    public TimeSpan PublishRetryTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The <c>QazBus:Retry</c> section: one retry policy for the whole system.</summary>
public sealed class RetryOptions
{
    /// <summary>How many times a failed handler is retried at once, in memory, before the message goes to the error queue. Default 2.</summary>
    public int ImmediateRetries { get; set; } = 2;
}
