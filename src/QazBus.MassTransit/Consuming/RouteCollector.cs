using MassTransit;
using MassTransit.Configuration;
using QazBus.Contracts;
using QazBus.MassTransit.Publishing;
using QazBus.Pipeline;

namespace QazBus.MassTransit.Consuming;

/// <summary>
/// Learns the contracts an endpoint's MassTransit consumers take, and gives the endpoint the SDK's routes for them,
/// with the older versions their upcasters reach (as <c>AddHandler</c> does for SDK handlers).
/// </summary>
internal sealed class RouteCollector(EndpointDefinition endpoint) : IConsumerConfigurationObserver, IHandlerConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class => Add(typeof(TMessage));

    public void HandlerConfigured<TMessage>(IHandlerConfigurator<TMessage> configurator)
        where TMessage : class => Add(typeof(TMessage));

    public void Add(Type messageType)
    {
        if (!ContractTypes.IsContract(messageType))
        {
            throw new InvalidOperationException(
                $"QazBus endpoint '{endpoint.Name}' consumes '{messageType.FullName}', which is not a [Contract] record: a QazBus endpoint receives contracts only.");
        }

        var contract = ContractDescriptor.For(messageType);
        if (endpoint.TryGetRoute(contract.Name, contract.MajorVersion, out _))
        {
            return; // two consumers of one contract on one endpoint: MassTransit runs both, QazBus routes once
        }

        endpoint.Add(new MessageRoute(contract, contract, static message => message, static (_, _, _, _) => Task.CompletedTask));
        foreach (var (older, upcast) in Upcasters.Chain(contract))
        {
            endpoint.Add(new MessageRoute(older, contract, upcast, static (_, _, _, _) => Task.CompletedTask));
        }
    }
}
