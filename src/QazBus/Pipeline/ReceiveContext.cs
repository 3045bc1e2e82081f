using System.Diagnostics;
using QazBus.Handling;
using QazBus.Observation;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Pipeline;

/// <summary>One received message on its way through the pipeline: what the steps found out about it so far.</summary>
internal sealed class ReceiveContext(TransportMessage message, EndpointDefinition endpoint, CancellationToken cancellationToken)
{
    public TransportMessage Message { get; } = message;

    public EndpointDefinition Endpoint { get; } = endpoint;

    /// <summary>Signalled when the host stops: the message then goes back to the queue unacknowledged.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Delayed redeliveries so far (the <c>qazbus-redeliveries</c> header).</summary>
    public int Redeliveries { get; } = HeaderNumber.Read(message, WireHeaders.Redeliveries);

    /// <summary>The checked CloudEvents attributes; set by the envelope step.</summary>
    public IncomingEnvelope? Envelope { get; set; }

    /// <summary>How the contract version reaches its handler; set by the contract step.</summary>
    public MessageRoute? Route { get; set; }

    /// <summary>The deserialized, checked and upcast contract; set by the body step.</summary>
    public object? Contract { get; set; }

    /// <summary>Immediate retries made in this delivery so far.</summary>
    public int ImmediateRetries { get; set; }

    /// <summary>The handler attempt, counted across redeliveries; 0 while the handler was not reached.</summary>
    public int Attempt { get; set; }

    /// <summary>What the handler sees of the message; set by the attempt step.</summary>
    public MessageContext? MessageContext { get; set; }

    /// <summary>The DI scope of the current attempt; set by the attempt step.</summary>
    public IServiceProvider? Services { get; set; }

    /// <summary>Set when a filter (the inbox) recognised the message as handled before.</summary>
    public bool Duplicate { get; set; }

    /// <summary>How the message left the pipeline; set by the recoverability step.</summary>
    public MessageOutcome Outcome { get; set; }

    /// <summary>The reason code of a redelivery or a dead letter.</summary>
    public string? Reason { get; set; }

    /// <summary>The failure of the last attempt, when the message was not handled.</summary>
    public Exception? Failure { get; set; }

    /// <summary>True when the failure was one retrying could help with (what the kill switch counts).</summary>
    public bool FailedTransiently { get; set; }

    /// <summary>For a query request or answer: the request hash, once computed or read.</summary>
    public string? RequestHash { get; set; }

    /// <summary>The consumer span of this message.</summary>
    public Activity? Activity { get; set; }

    /// <summary>The metric tags of this message (contract, version, endpoint), once its envelope is read.</summary>
    public TagList Tags => Envelope is { } envelope
        ? new TagList
        {
            { "qazbus.contract.name", envelope.Type },
            { "qazbus.contract.version", envelope.Version },
            { "qazbus.endpoint", Endpoint.Queue },
        }
        : new TagList { { "qazbus.endpoint", Endpoint.Queue } };

    /// <summary>The message id for logs: the checked one, else whatever the headers say.</summary>
    public string MessageId => Envelope?.Id ?? Message.GetHeader(WireHeaders.Id) ?? Message.MessageId ?? "(none)";
}

/// <summary>Reads the non-negative counters QazBus keeps in headers; anything else counts as 0.</summary>
internal static class HeaderNumber
{
    public static int Read(TransportMessage message, string header) =>
        int.TryParse(message.GetHeader(header), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : 0;
}
