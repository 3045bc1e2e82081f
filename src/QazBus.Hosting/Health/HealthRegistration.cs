using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace QazBus.Hosting.Health;

/// <summary>The health checks of a QazBus worker and the server that answers the probes.</summary>
internal static class HealthRegistration
{
    // A slow database must not hold a probe past Kubernetes' default timeout (1 s is the default; 5 s is common).
    private static readonly TimeSpan OutboxCheckTimeout = TimeSpan.FromSeconds(3);

    public static IServiceCollection AddQazBusHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>()
            .Bind(configuration.GetSection(HealthOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());

        services.AddHealthChecks()
            .AddCheck(QazBusHealthChecks.Self, () => HealthCheckResult.Healthy("The process answers."), [QazBusHealthChecks.LiveTag])
            .AddCheck<BrokerConnectionHealthCheck>(QazBusHealthChecks.Broker, tags: [QazBusHealthChecks.ReadyTag])
            .AddCheck<OutboxBacklogHealthCheck>(QazBusHealthChecks.Outbox, tags: [QazBusHealthChecks.ReadyTag], timeout: OutboxCheckTimeout)
            .AddCheck<PausedEndpointsHealthCheck>(QazBusHealthChecks.PausedEndpoints, tags: [QazBusHealthChecks.ReadyTag]);

        services.TryAddSingleton(provider => new HealthEndpointServer(
            provider.GetRequiredService<HealthCheckService>(),
            provider.GetRequiredService<IOptions<HealthOptions>>().Value,
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.AddHostedService(provider => provider.GetRequiredService<HealthEndpointServer>());
        return services;
    }
}
