using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using QazBus.Configuration;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace QazBus.Transport.RabbitMq;

/// <summary>
/// The one way QazBus opens a connection to RabbitMQ: the transport's publish and consume connections, the
/// operator's <see cref="Operations.ErrorQueueClient"/> (<c>qazbus errors</c>), <see cref="Operations.ContractProbe"/>
/// (<c>qazbus probe</c>) and every host use it, so each gets the
/// same URI handling, TLS (the state's own certificate authority, a client certificate), automatic recovery,
/// heartbeat and start-up retry, and the same clear failures.
/// </summary>
/// <remarks>
/// Opening retries with backoff while the broker does not answer (it may start after the service), for at most
/// <see cref="RabbitMqOptions.ConnectTimeout"/>. A refused login or an untrusted certificate is not an outage:
/// retrying cannot help, so those fail at once. Every failure is a <see cref="BrokerConnectionException"/> whose
/// message names the setting to check and never the password.
/// </remarks>
internal sealed partial class BrokerConnections
{
    private const string Key = QazBusOptions.SectionName + ":RabbitMq";

    private readonly RabbitMqOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionFactory _factory;
    private readonly ResiliencePipeline _connectPipeline;
    private readonly string _endpoint;
    private readonly List<AmqpTcpEndpoint> _nodes;

    // Why the last TLS handshake refused the broker's certificate, set by the validation callback: the client
    // reports only "the remote certificate was rejected", and the operator needs to know against what.
    private string? _tlsRejection;

    /// <summary>Prepares connections to the broker of <paramref name="options"/>; nothing is opened yet.</summary>
    /// <param name="options">The <c>QazBus:RabbitMq</c> settings: URI and nodes, TLS, <see cref="RabbitMqOptions.ConnectTimeout"/>.</param>
    /// <param name="logger">Told of each retry while the broker does not answer, and of each connection opened.</param>
    /// <exception cref="ArgumentException">The URI is missing or not <c>amqp://</c> or <c>amqps://</c>, or a node is not host[:port].</exception>
    public BrokerConnections(RabbitMqOptions options, ILogger? logger = null)
    {
        var address = BrokerAddress.Parse(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _factory = new ConnectionFactory
        {
            Uri = address.FirstNodeUri,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            RequestedHeartbeat = TimeSpan.FromSeconds(30),
        };

        // Every node gets its own TLS settings, so the certificate is checked against that node's host name. The
        // client picks the nodes in random order, on the first connect and on every recovery, which spreads the
        // systems over the cluster and lets a connection whose node died come back on another one.
        var authority = RabbitMqTls.LoadAuthority(options.Tls);
        _nodes = [.. address.Nodes.Select(node =>
        {
            var ssl = new SslOption(node.Host, enabled: address.UsesTls);
            RabbitMqTls.Configure(ssl, options.Tls, authority, reason => Volatile.Write(ref _tlsRejection, reason));
            return new AmqpTcpEndpoint(node.Host, node.Port, ssl);
        })];
        _endpoint = address.Describe();

        _connectPipeline = BackoffPipeline.Build(
            options.ConnectTimeout,
            TimeSpan.FromMilliseconds(500),
            TimeSpan.FromSeconds(10),
            IsOutage,
            (attempt, delay, failure) => LogBrokerUnreachable(_logger, _endpoint, attempt, delay, failure?.Message));
    }

    /// <summary>The broker's nodes (host and port), for messages.</summary>
    public string Endpoint => _endpoint;

    /// <summary>The user the connections log in as, for messages (never the password).</summary>
    public string UserName => _factory.UserName;

    /// <summary>The virtual host the connections open, for messages.</summary>
    public string VirtualHost => _factory.VirtualHost;

    /// <summary>Opens a connection, retrying while the broker does not answer, within <see cref="RabbitMqOptions.ConnectTimeout"/>.</summary>
    /// <param name="clientName">The name the broker's management UI shows for the connection, for example the system id.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="BrokerConnectionException">The login was refused, the broker did not answer in time, or its certificate was not trusted.</exception>
    public async Task<IConnection> OpenAsync(string clientName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientName);
        IConnection connection;
        try
        {
            connection = await _connectPipeline.ExecuteAsync(
                async token => await _factory.CreateConnectionAsync(_nodes, clientName, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsLoginRefused(ex))
        {
            throw new BrokerConnectionException(
                BrokerConnectionFailure.LoginRefused,
                $"RabbitMQ at {_endpoint}: login refused for user '{_factory.UserName}' on vhost '{_factory.VirtualHost}' (wrong password in {Key}:Uri, or the user has no access to the vhost).",
                ex);
        }
        catch (Exception ex) when (IsTlsRejection(ex))
        {
            throw new BrokerConnectionException(BrokerConnectionFailure.CertificateNotTrusted, TlsFailureMessage(ex), ex);
        }
        catch (Exception ex) when (ex is Polly.Timeout.TimeoutRejectedException || (IsOutage(ex) && !cancellationToken.IsCancellationRequested))
        {
            throw new BrokerConnectionException(
                BrokerConnectionFailure.NotAnswering,
                $"RabbitMQ at {_endpoint} does not answer within {Key}:ConnectTimeout ({_options.ConnectTimeout}). Check that the broker runs and {Key}:Uri is right.",
                ex);
        }

        LogConnected(_logger, connection.Endpoint.HostName, connection.Endpoint.Port, _factory.VirtualHost, clientName);
        return connection;
    }

    private string TlsFailureMessage(Exception ex)
    {
        var why = Volatile.Read(ref _tlsRejection) ?? Innermost(ex).Message;
        return _options.Tls.CaCertificatePath is { Length: > 0 } caPath
            ? $"RabbitMQ at {_endpoint}: its certificate was not trusted by the configured authority {caPath} ({Key}:Tls:CaCertificatePath): {why}"
            : $"RabbitMQ at {_endpoint}: its certificate was not trusted by this machine's root authorities ({why}); set {Key}:Tls:CaCertificatePath to the authority that signed it.";
    }

    // An outage is worth waiting for: nothing listens yet, the socket was cut, the broker is starting. A refused
    // login and an untrusted certificate are answers, not outages.
    private static bool IsOutage(Exception exception) =>
        exception is BrokerUnreachableException or ConnectFailureException or SocketException or IOException
        && !IsLoginRefused(exception)
        && !IsTlsRejection(exception);

    private static bool IsLoginRefused(Exception exception) =>
        Causes(exception).Any(inner => inner is AuthenticationFailureException or PossibleAuthenticationFailureException
            || inner is OperationInterruptedException { ShutdownReason.ReplyCode: 403 or 530 });

    // System.Security.Authentication.AuthenticationException is the TLS handshake's failure (SslStream), not
    // RabbitMQ's login (RabbitMQ.Client.Exceptions.AuthenticationFailureException).
    private static bool IsTlsRejection(Exception exception) => Causes(exception).Any(inner => inner is AuthenticationException);

    private static Exception Innermost(Exception exception) => Causes(exception).Last();

    // The client wraps a failed endpoint in BrokerUnreachableException → AggregateException → the cause.
    private static IEnumerable<Exception> Causes(Exception exception)
    {
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var current))
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.Reverse())
                {
                    pending.Push(inner);
                }
            }
            else if (current.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ at {Endpoint} is not reachable yet (attempt {Attempt}); retrying in {Delay}: {Reason}")]
    private static partial void LogBrokerUnreachable(ILogger logger, string endpoint, int attempt, TimeSpan delay, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to RabbitMQ at {Host}:{Port}, vhost '{VirtualHost}', as {ClientName}")]
    private static partial void LogConnected(ILogger logger, string host, int port, string virtualHost, string clientName);
}
