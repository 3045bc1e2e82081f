namespace QazBus.Transport.RabbitMq;

/// <summary>
/// A connection to RabbitMQ could not be opened; <see cref="Exception.Message"/> says why and names the setting to
/// check, never the password. An <see cref="InvalidOperationException"/>, so a host that fails to start reports it as
/// a configuration or environment problem.
/// </summary>
public sealed class BrokerConnectionException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">What went wrong.</param>
    /// <param name="message">The message for the operator.</param>
    /// <param name="innerException">The client's exception.</param>
    public BrokerConnectionException(BrokerConnectionFailure failure, string message, Exception? innerException)
        : base(message, innerException) => Failure = failure;

    /// <summary>What went wrong.</summary>
    public BrokerConnectionFailure Failure { get; }
}
