using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Transport.RabbitMq;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace QazBus.Cli.Doctor;

/// <summary>
/// The broker part of <c>qazbus doctor</c>: connects with the system's own credentials and does what its host will do at
/// start, reporting each refusal as a finding with its fix instead of the stack trace the host would stop with.
/// </summary>
/// <remarks>
/// <para>
/// The queues are declared by the RabbitMQ transport itself, under <c>QazBus:RabbitMq:ManagedTopology=true</c>, so
/// what is checked is exactly what the host declares (<c>BusTopology</c>) and a refusal reads as the host's own
/// message. Declaring a system's own queues is idempotent; nothing is ever deleted or published.
/// </para>
/// <para>
/// Every step gets a fresh channel (the transport opens one per declaration): the broker closes a channel on
/// ACCESS_REFUSED, NOT_FOUND or PRECONDITION_FAILED, and one refusal must not hide the next finding.
/// </para>
/// </remarks>
internal sealed class BrokerDoctor(Findings findings, RabbitMqOptions broker, SystemFlow flow, bool managedTopology, string registryArgument)
{
    // How to load the registry's definitions into the vhost checked: set by RunAsync, named in the fixes.
    private string _topologyCommand = "qazbus topology --apply URL";

    /// <summary>Runs the broker checks.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var address = BrokerAddress.Parse(broker);
        // The client's own reading of the URI: the user and vhost it will log in with.
        var login = new ConnectionFactory { Uri = address.FirstNodeUri };
        var where = $"RabbitMQ at {address.Describe()}, vhost '{login.VirtualHost}'";
        // Loading definitions replaces the users' password hashes: the fix names --passwords, or every login breaks.
        _topologyCommand = $"qazbus topology{registryArgument} --vhost {login.VirtualHost} --passwords FILE --apply http://{login.HostName}:15672/";
        if (login.UserName != flow.System)
        {
            findings.Fail($"broker: the URI logs in as '{login.UserName}', not as '{flow.System}': the generated permissions are those of the user named after the system; pass its credentials in --uri");
        }

        IConnection connection;
        try
        {
            connection = await new BrokerConnections(broker).OpenAsync($"qazbus doctor ({flow.System})", cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerConnectionException ex)
        {
            findings.Fail(ex.Failure == BrokerConnectionFailure.LoginRefused
                ? $"broker: {ex.Message} Give '{login.UserName}' its password (qazbus topology --passwords FILE, or rabbitmqctl change_password) and load the definitions into vhost '{login.VirtualHost}': {_topologyCommand}"
                : $"broker: {ex.Message}");
            return;
        }

        await using (connection.ConfigureAwait(false))
        {
            findings.Ok($"broker: connected to {where} as '{login.UserName}'");
            var existing = await CheckExchangesAsync(connection, cancellationToken).ConfigureAwait(false);
            await DeclareEndpointsAsync(cancellationToken).ConfigureAwait(false);
            await CheckManagedTopologyAsync(existing, cancellationToken).ConfigureAwait(false);
            await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Each exchange the system publishes to exists (a passive declare, which needs no permission).</summary>
    private async Task<HashSet<string>> CheckExchangesAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var exchange in flow.WritesTo)
        {
            if (await ExistsAsync(connection, exchange, cancellationToken).ConfigureAwait(false))
            {
                existing.Add(exchange);
            }
            else
            {
                missing.Add(exchange);
            }
        }

        // The exchanges it binds to are checked by the bindings below; those it only writes to, here.
        foreach (var exchange in flow.Endpoints.SelectMany(e => e.Exchanges).Where(e => !existing.Contains(e) && !missing.Contains(e)).Distinct(StringComparer.Ordinal).ToList())
        {
            if (await ExistsAsync(connection, exchange, cancellationToken).ConfigureAwait(false))
            {
                existing.Add(exchange);
            }
        }

        foreach (var exchange in missing)
        {
            findings.Fail($"exchange {exchange}: does not exist (404 NOT_FOUND), so {flow.System} cannot publish to it: the definitions are not loaded into the broker: {_topologyCommand}");
        }

        var present = flow.WritesTo.Where(existing.Contains).ToList();
        if (present.Count > 0)
        {
            findings.Ok($"exchanges {flow.System} publishes to exist: {string.Join(", ", present)}");
        }

        return existing;
    }

    private static async Task<bool> ExistsAsync(IConnection connection, string exchange, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                await channel.ExchangeDeclarePassiveAsync(exchange, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
                return false;
            }
        }
    }

    /// <summary>Every endpoint the registry gives the system, declared and bound by the transport under managed topology.</summary>
    private async Task DeclareEndpointsAsync(CancellationToken cancellationToken)
    {
        if (flow.Endpoints.Count == 0)
        {
            findings.Ok($"endpoints: the registry gives {flow.System} no queue (it only publishes)");
            return;
        }

        var transport = Transport(managed: true);
        await using (transport.ConfigureAwait(false))
        {
            foreach (var endpoint in flow.Endpoints)
            {
                try
                {
                    await transport.DeclareEndpointAsync(endpoint.Queue, [.. endpoint.Exchanges], cancellationToken).ConfigureAwait(false);
                    findings.Ok($"endpoint {endpoint.Queue} ({endpoint.What}): declared under managed topology, bound to {string.Join(", ", endpoint.Exchanges)}");
                }
                catch (InvalidOperationException ex) when (ex.InnerException is OperationInterruptedException { ShutdownReason.ReplyCode: 403 })
                {
                    // The transport's own message: which queue or binding, and to add the subscription, regenerate and load.
                    findings.Fail($"endpoint {endpoint.Queue} ({endpoint.What}): {ex.Message}");
                }
                catch (OperationInterruptedException ex) when (ex.ShutdownReason is { } reason)
                {
                    findings.Fail($"endpoint {endpoint.Queue} ({endpoint.What}): {reason.ReplyText} ({reason.ReplyCode.ToString(CultureInfo.InvariantCulture)}): {Fix(reason.ReplyCode)}");
                }
                catch (BrokerConnectionException ex)
                {
                    findings.Fail($"endpoint {endpoint.Queue}: {ex.Message}");
                    return;
                }
            }
        }
    }

    /// <summary>
    /// What a system left at <c>ManagedTopology=false</c> does first: declare a contract exchange it does not own. The
    /// generated permissions refuse that, and such a host stops at start; a broker that allows it does not run them.
    /// </summary>
    private async Task CheckManagedTopologyAsync(HashSet<string> existing, CancellationToken cancellationToken)
    {
        // Only an exchange that exists: if the broker allows the declaration, it changes nothing (same type, durable).
        if (flow.DeclaredWhenUnmanaged.FirstOrDefault(existing.Contains) is not { } exchange)
        {
            return;
        }

        var transport = Transport(managed: false);
        await using (transport.ConfigureAwait(false))
        {
            try
            {
                await transport.DeclareExchangeAsync(exchange, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex) when (ex.InnerException is OperationInterruptedException { ShutdownReason.ReplyCode: 403 })
            {
                if (managedTopology)
                {
                    findings.Ok($"managed topology: the broker refuses {flow.System} to declare {exchange}, which it does not own, and the system runs with QazBus:RabbitMq:ManagedTopology=true");
                }
                else
                {
                    findings.Fail($"managed topology: the broker refused {flow.System} to declare {exchange}, which it does not own (403 ACCESS_REFUSED), as it refuses the host at start: " +
                        "this broker runs the generated permissions: set QazBus:RabbitMq:ManagedTopology=true (QazBus__RabbitMq__ManagedTopology=true), then run doctor with --managed-topology");
                }

                return;
            }
            catch (BrokerConnectionException ex)
            {
                findings.Fail($"managed topology: {ex.Message}");
                return;
            }

            findings.Fail($"permissions: the broker lets {flow.System} declare {exchange}, which it does not own: this broker does not run the permissions generated from the registry; load them: {_topologyCommand}");
        }
    }

    private string Fix(ushort replyCode) => replyCode switch
    {
        404 => $"the definitions are not loaded into the broker: {_topologyCommand}",
        406 => "the queue exists with other arguments than the system declares: give the system the QazBus:RabbitMq:DeliveryLimit and QuorumReplicas the definitions were generated with (the defaults), or drain a queue created by hand and load it from the definitions",
        _ => $"check the definitions loaded into the broker: {_topologyCommand}",
    };

    private RabbitMqTransport Transport(bool managed) => new(
        Options.Create(new QazBusOptions
        {
            System = flow.System,
            Transport = TransportKind.RabbitMq,
            RabbitMq = new RabbitMqOptions
            {
                Uri = broker.Uri,
                Nodes = broker.Nodes,
                Tls = broker.Tls,
                ConnectTimeout = broker.ConnectTimeout,
                ManagedTopology = managed,
            },
        }),
        NullLogger<RabbitMqTransport>.Instance);
}
