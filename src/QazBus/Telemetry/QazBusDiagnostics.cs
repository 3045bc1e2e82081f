using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace QazBus.Telemetry;

/// <summary>
/// The ActivitySource and Meter of QazBus. Register them with OpenTelemetry as <see cref="SourceName"/>.
/// </summary>
/// <remarks>
/// Span and attribute names follow the OpenTelemetry messaging semantic conventions
/// (<c>messaging.system</c>, <c>messaging.destination.name</c>, <c>messaging.message.id</c>, producer and
/// consumer span kinds), plus <c>qazbus.*</c> attributes for the contract and systems. No body field is ever
/// put in an attribute: bodies carry personal data.
/// </remarks>
public static class QazBusDiagnostics
{
    /// <summary>The name of the ActivitySource and the Meter.</summary>
    public const string SourceName = "QazBus";

    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(QazBusDiagnostics).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(SourceName, typeof(QazBusDiagnostics).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> Published = Messages("published", "Messages published and confirmed by the broker.");
    internal static readonly Counter<long> Consumed = Messages("consumed", "Messages handled successfully.");
    internal static readonly Counter<long> Failed = Messages("failed", "Handler attempts that threw.");
    internal static readonly Counter<long> DeadLettered = Messages("dead_lettered", "Messages moved to an error queue.");
    internal static readonly Counter<long> Retried = Messages("retried", "Immediate retries of a failed handler.");
    internal static readonly Counter<long> Redelivered = Messages("redelivered", "Messages scheduled for delayed redelivery.");
    internal static readonly Counter<long> Duplicates = Messages("duplicate", "Messages dropped by the inbox as already handled.");

    internal static readonly Counter<long> DeprecatedUse = Meter.CreateCounter<long>(
        "qazbus.contract.deprecated_use", "{message}", "Messages published or consumed in a deprecated contract version.");

    internal static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram<double>(
        "qazbus.handler.duration", "s", "Time spent in a handler per attempt.");

    // Every message counter has the same unit and prefix: one place for both.
    private static Counter<long> Messages(string name, string description) =>
        Meter.CreateCounter<long>("qazbus.messages." + name, "{message}", description);
}
