namespace QazBus.Pipeline;

/// <summary>
/// A message that can never succeed, whatever the number of attempts: it goes to the error queue at once,
/// with <see cref="Reason"/> and the exception message in its headers.
/// </summary>
public sealed class MessageRejectedException : Exception
{
    /// <summary>Rejects a message for a reason from <see cref="RejectReason"/>.</summary>
    public MessageRejectedException(string reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>A reason code from <see cref="RejectReason"/>.</summary>
    public string Reason { get; }
}
