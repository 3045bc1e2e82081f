namespace QazBus.Transport.RabbitMq;

/// <summary>Why <see cref="BrokerConnections"/> could not open a connection.</summary>
public enum BrokerConnectionFailure
{
    /// <summary>The broker refused the user, its password, or its access to the virtual host. Not retried.</summary>
    LoginRefused,

    /// <summary>The broker did not answer within <see cref="Configuration.RabbitMqOptions.ConnectTimeout"/>, retrying all along.</summary>
    NotAnswering,

    /// <summary>The broker's TLS certificate was not trusted by the configured authority (or the machine's roots). Not retried.</summary>
    CertificateNotTrusted,

    /// <summary>The connection was lost and is recovering: the operation was not done (or not confirmed); try it again.</summary>
    ConnectionLost,
}
