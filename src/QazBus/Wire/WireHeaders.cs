namespace QazBus.Wire;

/// <summary>
/// AMQP header names of the QazBus wire format. Any AMQP client can set and read them.
/// </summary>
/// <remarks>
/// CloudEvents attributes follow the CloudEvents AMQP protocol binding 1.0 in binary content mode: each
/// attribute is an application property named <c>cloudEvents:{attribute}</c>; the binding also allows
/// <c>cloudEvents_{attribute}</c> for JMS-style clients, so QazBus reads both and writes the first.
/// The body's media type travels in the AMQP <c>content-type</c> property. Trace context follows W3C Trace
/// Context (<c>traceparent</c>, <c>tracestate</c>).
/// </remarks>
public static class WireHeaders
{
    /// <summary>The prefix QazBus writes for CloudEvents attributes.</summary>
    public const string CloudEventsPrefix = "cloudEvents:";

    /// <summary>The alternative prefix the CloudEvents AMQP binding allows; accepted on receive.</summary>
    public const string CloudEventsAlternativePrefix = "cloudEvents_";

    /// <summary>CloudEvents <c>specversion</c>; QazBus speaks 1.0.</summary>
    public const string SpecVersion = CloudEventsPrefix + "specversion";

    /// <summary>CloudEvents <c>id</c>: unique per source.</summary>
    public const string Id = CloudEventsPrefix + "id";

    /// <summary>CloudEvents <c>source</c>: the sending system id, <c>{agency}.{system}</c>.</summary>
    public const string Source = CloudEventsPrefix + "source";

    /// <summary>CloudEvents <c>type</c>: the contract name.</summary>
    public const string Type = CloudEventsPrefix + "type";

    /// <summary>CloudEvents <c>time</c>: RFC 3339.</summary>
    public const string Time = CloudEventsPrefix + "time";

    /// <summary>CloudEvents <c>dataschema</c>: <c>urn:qazbus:contract:{name}:v{major}</c>.</summary>
    public const string DataSchema = CloudEventsPrefix + "dataschema";

    /// <summary>W3C Trace Context <c>traceparent</c>.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C Trace Context <c>tracestate</c>.</summary>
    public const string TraceState = "tracestate";

    /// <summary>The CloudEvents spec version QazBus writes and accepts.</summary>
    public const string SpecVersionValue = "1.0";

    /// <summary>The media type of every QazBus body.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>Why a message was moved to the error queue: a short code such as <c>malformed-json</c>.</summary>
    public const string ErrorReason = "qazbus-error-reason";

    /// <summary>A readable description of the failure, naming the header or field at fault.</summary>
    public const string ErrorMessage = "qazbus-error-message";

    /// <summary>The .NET exception type, when an exception caused the failure.</summary>
    public const string ErrorException = "qazbus-error-exception";

    /// <summary>The queue the message failed at.</summary>
    public const string ErrorEndpoint = "qazbus-error-endpoint";

    /// <summary>The system that moved the message to the error queue.</summary>
    public const string ErrorSystem = "qazbus-error-system";

    /// <summary>The host (machine) that moved the message to the error queue.</summary>
    public const string ErrorHost = "qazbus-error-host";

    /// <summary>When the message was moved to the error queue (RFC 3339).</summary>
    public const string ErrorTime = "qazbus-error-time";

    /// <summary>How many times the handler was attempted so far, across redeliveries.</summary>
    public const string Attempts = "qazbus-attempts";

    /// <summary>How many delayed redeliveries the message has had.</summary>
    public const string Redeliveries = "qazbus-redeliveries";

    /// <summary>When the message first failed (RFC 3339).</summary>
    public const string FirstFailure = "qazbus-first-failure";

    /// <summary>When the message last failed (RFC 3339).</summary>
    public const string LastFailure = "qazbus-last-failure";

    /// <summary>How many times an operator replayed the message from an error queue.</summary>
    public const string Replays = "qazbus-replays";

    /// <summary>When the message was last replayed (RFC 3339).</summary>
    public const string ReplayedAt = "qazbus-replayed-at";

    /// <summary>Who replayed the message.</summary>
    public const string ReplayedBy = "qazbus-replayed-by";

    /// <summary>When a redelivered message is due back at its endpoint (RFC 3339).</summary>
    public const string NextAttempt = "qazbus-next-attempt";

    /// <summary>On a query request: its end of life (RFC 3339, UTC). A provider that sees the request later answers <c>expired</c> without handling it.</summary>
    public const string Deadline = "qazbus-deadline";

    /// <summary>On a query answer: <c>ok</c>, or the rejection code (<c>no-data</c>, <c>access-denied</c>, <c>invalid-request</c>, <c>failure</c>, <c>expired</c>).</summary>
    public const string QueryStatus = "qazbus-query-status";

    /// <summary>On a query answer: the request's <c>dataschema</c> (<c>urn:qazbus:contract:{query}:v{major}</c>), so an answer names its question.</summary>
    public const string Query = "qazbus-query";

    /// <summary>On a query answer: the request hash (<see cref="Queries.RequestHash"/>), proving which request it answers.</summary>
    public const string RequestHash = "qazbus-request-hash";

    /// <summary>RabbitMQ's direct reply-to pseudo-queue: the AMQP <c>reply-to</c> of a synchronous query.</summary>
    public const string DirectReplyTo = "amq.rabbitmq.reply-to";
}
