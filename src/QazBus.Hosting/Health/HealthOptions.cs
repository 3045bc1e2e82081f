namespace QazBus.Hosting.Health;

/// <summary>The <c>QazBus:Health</c> section. Validated at start-up: a bad value stops the host naming its key.</summary>
/// <remarks>
/// The HTTP endpoints are off until <see cref="Port"/> is set: a library does not open a port nobody asked for,
/// and several workers (or a test run) on one machine would fight over a default one. Kubernetes manifests and
/// the compose file set it. <see cref="Address"/> defaults to loopback, which suits probes from the same machine
/// (systemd, a sidecar); in a container, where the kubelet or Docker probes from outside the network namespace,
/// set it to <c>0.0.0.0</c>. The responses carry only check names, statuses and descriptions (queue names,
/// counts), never exception text.
/// </remarks>
/// <example>
/// <code>
/// "QazBus": {
///   "Health": { "Port": 8080, "Address": "0.0.0.0", "OutboxBacklogLimit": 10000, "OutboxAgeLimit": "00:05:00" }
/// }
/// </code>
/// </example>
public sealed class HealthOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "QazBus:Health";

    /// <summary>
    /// The TCP port of <c>/health/live</c> and <c>/health/ready</c>; unset (the default) serves no HTTP. <c>0</c>
    /// takes a free port (tests); <see cref="HealthEndpointServer.Address"/> tells which.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>The IP address to listen on. Default <c>127.0.0.1</c>; <c>0.0.0.0</c> or <c>::</c> for every interface.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Readiness fails when more outbox rows than this wait to be published. Default 10,000.</summary>
    public long OutboxBacklogLimit { get; set; } = 10_000;

    /// <summary>Readiness fails when the oldest unpublished outbox row has waited longer than this. Default 5 minutes.</summary>
    public TimeSpan OutboxAgeLimit { get; set; } = TimeSpan.FromMinutes(5);
}
