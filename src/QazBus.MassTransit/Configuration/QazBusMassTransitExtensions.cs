using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.MassTransit.Consuming;
using QazBus.MassTransit.Publishing;
using QazBus.Naming;
using QazBus.Pipeline;
using QazBus.Publishing;
using QazBus.Transport;
using QazBus.Transport.RabbitMq;

namespace QazBus.MassTransit;

/// <summary>
/// Makes a MassTransit 8.5 RabbitMQ bus a QazBus system: <c>cfg.UseQazBus(context)</c>, then
/// <c>cfg.QazBusEndpoint(context, "endpoint", e =&gt; e.ConfigureConsumer&lt;MyConsumer&gt;(context))</c> for each
/// endpoint. The host needs the SDK registered too (<c>builder.AddQazBus()</c>), which holds the system id, the
/// broker URI, signing and retry settings: the same <c>QazBus</c> configuration section as an SDK system.
/// </summary>
public static class QazBusMassTransitExtensions
{
    /// <summary>
    /// Connects to the broker of <c>QazBus:RabbitMq:Uri</c>, names contract exchanges <c>{name}.v{major}</c>, writes
    /// published and sent contracts in the QazBus wire (the SDK's body, CloudEvents headers, traceparent, AMQP properties and
    /// signature; no MassTransit envelope or <c>MT-*</c> headers), never declares a contract exchange, and keeps
    /// MassTransit's temporary bus queue under the system's own name prefix. Call it first, before any other topology
    /// configuration.
    /// </summary>
    /// <param name="configurator">The RabbitMQ bus configurator of <c>UsingRabbitMq</c>.</param>
    /// <param name="context">The registration context of <c>UsingRabbitMq</c>.</param>
    public static void UseQazBus(this IRabbitMqBusFactoryConfigurator configurator, IBusRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(context);
        var options = QazBusOptionsOf(context);

        // The SDK's one parser of the broker address (and of its credentials).
        if (!BrokerAddress.TryParse(options.RabbitMq.Uri, options.RabbitMq.Nodes, out var address, out var error))
        {
            throw new InvalidOperationException(error);
        }

        var uri = address!.FirstNodeUri;
        var credentials = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
        configurator.Host(uri, host =>
        {
            if (credentials.Length == 2)
            {
                host.Username(credentials[0]);
                host.Password(credentials[1]);
            }
        });

        // First: MassTransit fixes each publish exchange name the first time it is asked.
        configurator.MessageTopology.SetEntityNameFormatter(new QazBusEntityNameFormatter(configurator.MessageTopology.EntityNameFormatter));

        // Contract exchanges belong to the registry's definitions (or to the SDK): MassTransit only publishes to them.
        var contracts = ContractTypes.Loaded();
        foreach (var contract in contracts)
        {
            configurator.Publish(contract, publish => publish.Exclude = true);
        }

        // The exchanges of the contracts this system may publish are declared by the SDK's transport, as an SDK
        // publisher's are (not at all under ManagedTopology, where the registry's definitions hold them).
        var agency = BusNames.AgencyOf(options.System);
        var owned = contracts.Select(Contracts.ContractDescriptor.For)
            .Where(contract => !contract.IsQuery && Contracts.Platform.MayPublish(agency, contract))
            .Select(contract => contract.Exchange)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        configurator.ConnectBusObserver(new DeclareOnStartObserver(context.GetRequiredService<IBusTransport>(), owned, null));

        configurator.OverrideDefaultBusEndpointQueueName($"{options.System}.bus-{Guid.NewGuid():N}");
        var serializer = new QazBusMessageSerializer(context.GetRequiredService<OutgoingMessageFactory>());
        var observer = new ContractPipeSpecification(serializer);
        configurator.ConfigurePublish(pipe => pipe.ConnectPublishPipeSpecificationObserver(observer));
        configurator.ConfigureSend(pipe => pipe.ConnectSendPipeSpecificationObserver(observer));
    }

    /// <summary>
    /// A QazBus endpoint: the quorum queue <c>{agency}.{system}.{endpoint}</c>, declared by the SDK with its error queue
    /// (bound to the contracts' exchanges by the SDK, or under <c>QazBus:RabbitMq:ManagedTopology</c> by the registry's
    /// definitions). Each message goes through the SDK's consume pipeline first (signature, sender, contract and version,
    /// body and upcast, retries and dead letters with the SDK's reason codes), then to the one consumer of its
    /// contract version.
    /// </summary>
    /// <param name="configurator">The RabbitMQ bus configurator.</param>
    /// <param name="context">The registration context.</param>
    /// <param name="endpoint">The endpoint name, one lowercase segment such as <c>citizens</c>.</param>
    /// <param name="configure">Adds the endpoint's consumers of contract records.</param>
    public static void QazBusEndpoint(this IRabbitMqBusFactoryConfigurator configurator, IBusRegistrationContext context, string endpoint, Action<IRabbitMqReceiveEndpointConfigurator> configure)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(configure);
        var options = QazBusOptionsOf(context);
        var definition = new EndpointDefinition(endpoint);
        definition.Bind(options.System); // validates the name with the SDK's naming
        configurator.ConnectBusObserver(new DeclareOnStartObserver(context.GetRequiredService<IBusTransport>(), [], definition));

        configurator.ReceiveEndpoint(definition.Queue, e =>
        {
            // The SDK declares the queue (its arguments, its error queue, its bindings): MassTransit only consumes it.
            e.BindQueue = false;
            e.ConfigureConsumeTopology = false;
            e.PublishFaults = false;
            e.PrefetchCount = options.PrefetchCount;
            e.ConcurrentMessageLimit = options.ConcurrencyLimit;
            e.AddDeserializer(new QazBusDeserializer(), isDefault: true);
            e.ConfigureReceive(receive => receive.UseFilter(new QazBusReceiveFilter(definition, context)));
            e.ConfigureError(error => error.UseFilter(new RethrowToQazBusFilter()));
            e.ConfigureDeadLetter(deadLetter => deadLetter.UseFilter(new NotConsumedFilter()));
            var routes = new RouteCollector(definition);
            e.ConnectConsumerConfigurationObserver(routes);
            e.ConnectHandlerConfigurationObserver(routes);
            configure(e);
        });
    }

    private static QazBusOptions QazBusOptionsOf(IServiceProvider services) =>
        services.GetService<IOptions<QazBusOptions>>()?.Value is { System.Length: > 0 } options ? options
            : throw new InvalidOperationException("QazBus is not registered: call builder.AddQazBus() (the QazBus configuration section) before AddMassTransit.");

    private sealed class ContractPipeSpecification(QazBusMessageSerializer serializer) : global::MassTransit.Configuration.IPublishPipeSpecificationObserver, global::MassTransit.Configuration.ISendPipeSpecificationObserver
    {
        public void MessageSpecificationCreated<T>(global::MassTransit.Configuration.IMessagePublishPipeSpecification<T> specification)
            where T : class => specification.AddPipeSpecification(new global::MassTransit.Configuration.FilterPipeSpecification<PublishContext<T>>(new QazBusPublishFilter<T>(serializer)));

        public void MessageSpecificationCreated<T>(global::MassTransit.Configuration.IMessageSendPipeSpecification<T> specification)
            where T : class => specification.AddPipeSpecification(new global::MassTransit.Configuration.FilterPipeSpecification<SendContext<T>>(new QazBusPublishFilter<T>(serializer)));
    }

    /// <summary>Declares exchanges and an endpoint with the SDK's transport before MassTransit starts publishing or consuming.</summary>
    private sealed class DeclareOnStartObserver(IBusTransport transport, IReadOnlyList<string> exchanges, EndpointDefinition? endpoint) : IBusObserver
    {
        public void PostCreate(IBus bus)
        {
        }

        public void CreateFaulted(Exception exception)
        {
        }

        public async Task PreStart(IBus bus)
        {
            await transport.ConnectAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var exchange in exchanges)
            {
                await transport.DeclareExchangeAsync(exchange, CancellationToken.None).ConfigureAwait(false);
            }

            if (endpoint is not null)
            {
                await transport.DeclareEndpointAsync(endpoint.Queue, endpoint.Exchanges, CancellationToken.None).ConfigureAwait(false);
            }
        }

        public Task PostStart(IBus bus, Task<BusReady> busReady) => Task.CompletedTask;

        public Task StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;

        public Task PreStop(IBus bus) => Task.CompletedTask;

        public Task PostStop(IBus bus) => Task.CompletedTask;

        public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
    }
}
