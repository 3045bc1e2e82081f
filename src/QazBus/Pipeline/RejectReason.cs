namespace QazBus.Pipeline;

/// <summary>
/// The reason codes written to <c>qazbus-error-reason</c> when a message goes to an error queue.
/// Operators filter on them; keep them stable.
/// </summary>
public static class RejectReason
{
    /// <summary>The body is larger than <c>QazBus:MaxMessageBytes</c>.</summary>
    public const string Oversized = "oversized";

    /// <summary>A required CloudEvents header is missing or empty.</summary>
    public const string MissingHeader = "missing-header";

    /// <summary>A header is present but its value is not valid (spec version, source, time, content type, dataschema).</summary>
    public const string InvalidHeader = "invalid-header";

    /// <summary>The endpoint handles no contract of this name.</summary>
    public const string UnknownContract = "unknown-contract";

    /// <summary>The endpoint handles the contract, but not this major version.</summary>
    public const string UnknownVersion = "unknown-version";

    /// <summary>The sender is not a system of the contract's owner agency.</summary>
    public const string SenderNotOwner = "sender-not-owner";

    /// <summary>The body is not well-formed JSON.</summary>
    public const string MalformedJson = "malformed-json";

    /// <summary>The body is JSON but does not fit the contract (missing required field, wrong type).</summary>
    public const string DeserializationFailed = "deserialization-failed";

    /// <summary>The body breaks the contract's rules (pattern, length, range): the field is named.</summary>
    public const string SchemaViolation = "schema-violation";

    /// <summary>Signing is required and the message carries no signature.</summary>
    public const string SignatureMissing = "signature-missing";

    /// <summary>The signature does not verify: unknown key, forged sender or altered body or headers.</summary>
    public const string SignatureInvalid = "signature-invalid";

    /// <summary>The signed time is outside the accepted window: a replay, or a message that waited too long.</summary>
    public const string SignatureExpired = "signature-expired";

    /// <summary>The handler threw on every attempt.</summary>
    public const string HandlerFailed = "handler-failed";

    /// <summary>
    /// The message came back to its queue unacknowledged more often than <c>QazBus:RabbitMq:DeliveryLimit</c> allows:
    /// its consumer process died (or lost its connection) while handling it, again and again. Not handled again.
    /// </summary>
    public const string DeliveryLimit = "delivery-limit";
}
