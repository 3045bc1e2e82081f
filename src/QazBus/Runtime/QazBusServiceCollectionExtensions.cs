using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Contracts;
using QazBus.Runtime;
using QazBus.Publishing;
using QazBus.Retry;
using QazBus.Transport;
using QazBus.Transport.InMemory;
using QazBus.Transport.RabbitMq;

// Registration extensions live in the namespace of what they extend, so they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers QazBus: <c>builder.AddQazBus()</c> or <c>services.AddQazBus(configuration)</c>.</summary>
public static class QazBusServiceCollectionExtensions
{
    /// <summary>
    /// Adds the bus to a host, configured from the <c>QazBus</c> section of <paramref name="builder"/>'s configuration.
    /// Options are validated at start-up: a missing or bad value stops the host with a message naming the key.
    /// </summary>
    /// <example><code>builder.AddQazBus().AddHandler&lt;AddressChanged, AddressChangedHandler&gt;("address-changes");</code></example>
    public static QazBusBuilder AddQazBus(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Services.AddQazBus(builder.Configuration);
    }

    /// <summary>Adds the bus, configured from the <c>QazBus</c> section of <paramref name="configuration"/>.</summary>
    public static QazBusBuilder AddQazBus(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Calling AddQazBus twice returns the same builder instead of registering a second bus.
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(QazBusBuilder))?.ImplementationInstance;
        if (existing is QazBusBuilder registered)
        {
            return registered;
        }

        services.AddOptions<QazBusOptions>()
            .Bind(configuration.GetSection(QazBusOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QazBusOptions>, QazBusOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ContractDescriptorCache>();
        services.TryAddSingleton<InMemoryBroker>();
        services.TryAddSingleton<IBusTransport>(CreateTransport);
        services.TryAddSingleton<BusStatus>();
        services.TryAddSingleton<QazBus.Pipeline.Recoverability.RecoverabilityPolicy>();
        services.TryAddSingleton<DeprecationPolicy>();
        services.TryAddSingleton<QazBus.Signing.MessageSigner>();
        services.TryAddSingleton(provider => new OutgoingMessageFactory(
            provider.GetRequiredService<ContractDescriptorCache>(),
            provider.GetRequiredService<DeprecationPolicy>(),
            provider.GetRequiredService<QazBus.Signing.MessageSigner>(),
            provider.GetRequiredService<IOptions<QazBusOptions>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new MessageDispatcher(
            provider.GetRequiredService<IBusTransport>(),
            provider.GetServices<QazBus.Observation.IMessageObserver>(),
            provider.GetRequiredService<IOptions<QazBusOptions>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IContractPublisher, ContractPublisher>();
        services.TryAddSingleton<QazBus.Queries.QueryAnswers>();
        services.TryAddSingleton<QazBus.Queries.QueryClient>();
        services.TryAddSingleton<QazBus.Queries.IQueryClient>(provider => provider.GetRequiredService<QazBus.Queries.QueryClient>());
        services.AddHostedService<QazBusHostedService>();

        var endpoints = new BusEndpoints();
        services.AddSingleton(endpoints);
        var builder = new QazBusBuilder(services, endpoints);
        services.AddSingleton(builder);
        return builder;
    }

    private static IBusTransport CreateTransport(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<QazBusOptions>>();
        return options.Value.Transport switch
        {
            TransportKind.RabbitMq => new RabbitMqTransport(options, provider.GetRequiredService<ILogger<RabbitMqTransport>>()),
            _ => new InMemoryTransport(provider.GetRequiredService<InMemoryBroker>()),
        };
    }
}
