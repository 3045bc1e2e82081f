using System.Text;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Operations;

/// <summary>A message waiting in an error queue, with why it is there. What operators list, show, replay or discard.</summary>
public sealed record DeadLetter
{
    /// <summary>The CloudEvents id (or the AMQP message id when the message had none).</summary>
    public string? MessageId { get; init; }

    /// <summary>The contract name, when the message named one.</summary>
    public string? Contract { get; init; }

    /// <summary>The sending system, when known.</summary>
    public string? Source { get; init; }

    /// <summary>The endpoint queue the message failed at, and goes back to on replay.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The reason code.</summary>
    public string? Reason { get; init; }

    /// <summary>The readable description of the failure.</summary>
    public string? Description { get; init; }

    /// <summary>The exception type, when an exception caused it.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Handler attempts made.</summary>
    public int Attempts { get; init; }

    /// <summary>When it first failed.</summary>
    public string? FirstFailure { get; init; }

    /// <summary>When it was moved to the error queue.</summary>
    public string? FaultedAt { get; init; }

    /// <summary>How many times it was replayed before.</summary>
    public int Replays { get; init; }

    /// <summary>The body as text (the contract JSON, or whatever bad input arrived).</summary>
    public required string Body { get; init; }

    /// <summary>Every header as text.</summary>
    public required IReadOnlyDictionary<string, string?> Headers { get; init; }

    internal static DeadLetter From(TransportMessage message) => new()
    {
        MessageId = message.GetHeader(WireHeaders.Id) ?? message.MessageId,
        Contract = message.GetHeader(WireHeaders.Type),
        Source = message.GetHeader(WireHeaders.Source),
        Endpoint = message.GetHeader(WireHeaders.ErrorEndpoint),
        Reason = message.GetHeader(WireHeaders.ErrorReason),
        Description = message.GetHeader(WireHeaders.ErrorMessage),
        ExceptionType = message.GetHeader(WireHeaders.ErrorException),
        Attempts = int.TryParse(message.GetHeader(WireHeaders.Attempts), out var attempts) ? attempts : 0,
        FirstFailure = message.GetHeader(WireHeaders.FirstFailure),
        FaultedAt = message.GetHeader(WireHeaders.ErrorTime),
        Replays = int.TryParse(message.GetHeader(WireHeaders.Replays), out var replays) ? replays : 0,
        Body = Encoding.UTF8.GetString(message.Body.Span),
        Headers = message.Headers.ToDictionary(h => h.Key, h => HeaderText.Lenient(h.Value), StringComparer.Ordinal),
    };
}

/// <summary>Which dead letters an operation applies to. Empty matches nothing: <see cref="All"/> must be asked for.</summary>
public sealed record DeadLetterFilter
{
    /// <summary>One message by its id.</summary>
    public string? MessageId { get; init; }

    /// <summary>Every message with this reason code.</summary>
    public string? Reason { get; init; }

    /// <summary>Every message of this contract.</summary>
    public string? Contract { get; init; }

    /// <summary>Every message in the queue.</summary>
    public bool All { get; init; }

    /// <summary>True when the filter names at least one criterion.</summary>
    public bool IsSpecified => All || MessageId is not null || Reason is not null || Contract is not null;

    /// <summary>True when <paramref name="letter"/> matches every criterion given.</summary>
    public bool Matches(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        return IsSpecified
            && (MessageId is null || letter.MessageId == MessageId)
            && (Reason is null || letter.Reason == Reason)
            && (Contract is null || letter.Contract == Contract);
    }
}
