namespace QazBus.Hosting.Health;

/// <summary>
/// Names of the health checks, tags and paths the service defaults add. Tag an application's own check with
/// <see cref="ReadyTag"/> (or <see cref="LiveTag"/>) to make it part of that probe:
/// <c>builder.Services.AddHealthChecks().AddCheck&lt;RegisterDbCheck&gt;("register-db", tags: [QazBusHealthChecks.ReadyTag]);</c>
/// </summary>
public static class QazBusHealthChecks
{
    /// <summary>The liveness probe's path: the process answers. Kubernetes restarts a worker that fails it.</summary>
    public const string LivePath = "/health/live";

    /// <summary>The readiness probe's path: the worker can do its work (broker, outbox, endpoints).</summary>
    public const string ReadyPath = "/health/ready";

    /// <summary>Checks with this tag make up liveness.</summary>
    public const string LiveTag = "live";

    /// <summary>Checks with this tag make up readiness.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Liveness: the process answers HTTP.</summary>
    public const string Self = "self";

    /// <summary>Readiness: the connection to the broker is open.</summary>
    public const string Broker = "qazbus-broker";

    /// <summary>Readiness: the outbox backlog is under its limits (healthy when the system has no outbox).</summary>
    public const string Outbox = "qazbus-outbox";

    /// <summary>Readiness: no endpoint is paused by the kill switch (degraded while one is).</summary>
    public const string PausedEndpoints = "qazbus-paused-endpoints";
}
