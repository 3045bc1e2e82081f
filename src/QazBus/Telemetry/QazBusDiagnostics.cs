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

    internal static readonly Counter<long> Published = Meter.CreateCounter<long>(
        "qazbus.messages.published", "{message}", "Messages published and confirmed by the broker.");

    internal static readonly Counter<long> Consumed = Meter.CreateCounter<long>(
        "qazbus.messages.consumed", "{message}", "Messages handled successfully.");

    internal static readonly Counter<long> Failed = Meter.CreateCounter<long>(
        "qazbus.messages.failed", "{message}", "Handler attempts that threw.");

    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>(
        "qazbus.messages.dead_lettered", "{message}", "Messages moved to an error queue.");

    internal static readonly Counter<long> Retried = Meter.CreateCounter<long>(
        "qazbus.messages.retried", "{message}", "Immediate retries of a failed handler.");

    internal static readonly Counter<long> Redelivered = Meter.CreateCounter<long>(
        "qazbus.messages.redelivered", "{message}", "Messages scheduled for delayed redelivery.");

    internal static readonly Counter<long> Duplicates = Meter.CreateCounter<long>(
        "qazbus.messages.duplicate", "{message}", "Messages dropped by the inbox as already handled.");

    internal static readonly Counter<long> DeprecatedUse = Meter.CreateCounter<long>(
        "qazbus.contract.deprecated_use", "{message}", "Messages published or consumed in a deprecated contract version.");

    internal static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram<double>(
        "qazbus.handler.duration", "s", "Time spent in a handler per attempt.");
}
