namespace QazBus.Hosting.Telemetry;

/// <summary>The <c>QazBus:Telemetry</c> section. Validated at start-up: a bad value stops the host naming its key.</summary>
/// <remarks>
/// Where telemetry goes is set the OpenTelemetry way, by environment: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (and the
/// other <c>OTEL_EXPORTER_OTLP_*</c> variables) for OTLP. This section only adds what the standard has no word for.
/// </remarks>
/// <example>
/// <code>
/// "QazBus": {
///   "Telemetry": { "Console": true, "SampleInterval": "00:00:15" }
/// }
/// </code>
/// </example>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "QazBus:Telemetry";

    /// <summary>Writes spans and metrics to the console as well: for demos and local runs. Default false.</summary>
    public bool Console { get; set; }

    /// <summary>
    /// How often queue depth and outbox backlog are read, in the background (a gauge callback never waits on the
    /// broker or the database). Default 15 seconds; between 100 ms and 1 hour.
    /// </summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(15);
}
