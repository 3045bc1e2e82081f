using System.Diagnostics;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Telemetry;

/// <summary>W3C Trace Context in AMQP headers: written on publish, read on consume.</summary>
internal static class TraceContext
{
    /// <summary>
    /// Writes <c>traceparent</c> (and <c>tracestate</c>) for <paramref name="activity"/>. Every message carries a
    /// traceparent, even when nothing in this process records traces, so that the receiving agency can still join
    /// its spans to one trace id.
    /// </summary>
    public static void Inject(Activity? activity, IDictionary<string, object?> headers)
    {
        if (activity is not null)
        {
            headers[WireHeaders.TraceParent] = activity.Id;
            if (!string.IsNullOrEmpty(activity.TraceStateString))
            {
                headers[WireHeaders.TraceState] = activity.TraceStateString;
            }

            return;
        }

        var parent = Activity.Current;
        var traceId = parent?.TraceId ?? ActivityTraceId.CreateRandom();
        var spanId = parent?.SpanId ?? ActivitySpanId.CreateRandom();
        var flags = parent is not null && parent.Recorded ? "01" : "00";
        headers[WireHeaders.TraceParent] = $"00-{traceId.ToHexString()}-{spanId.ToHexString()}-{flags}";
    }

    /// <summary>Reads the sender's context; default when absent or malformed (a bad traceparent never fails a message).</summary>
    public static ActivityContext Extract(TransportMessage message)
    {
        var traceParent = message.GetHeader(WireHeaders.TraceParent);
        if (traceParent is not null
            && ActivityContext.TryParse(traceParent, message.GetHeader(WireHeaders.TraceState), isRemote: true, out var context))
        {
            return context;
        }

        return default;
    }
}
