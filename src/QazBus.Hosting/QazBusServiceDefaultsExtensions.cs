using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using QazBus.Hosting.Health;
using QazBus.Hosting.Telemetry;

// Registration extensions live in the namespace of what they extend, so they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>
/// The defaults every QazBus worker host shares: <c>builder.AddQazBusServiceDefaults()</c> next to
/// <c>builder.AddQazBus()</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>OpenTelemetry tracing (the <c>QazBus</c> ActivitySource) and metrics (the <c>QazBus</c> meter and the .NET
/// runtime's <c>System.Runtime</c> meter), with <c>service.name</c> = the system id (<c>QazBus:System</c>).</item>
/// <item>Exporters by OpenTelemetry convention: OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the other
/// standard <c>OTEL_EXPORTER_OTLP_*</c> variables apply), the console when <c>QazBus:Telemetry:Console</c> is
/// true, nothing otherwise. <c>OTEL_SDK_DISABLED=true</c> turns the SDK off.</item>
/// <item>Queue depth per endpoint and outbox backlog, sampled in the background (<c>QazBus:Telemetry:SampleInterval</c>).</item>
/// <item>Health checks: liveness (the process answers) and readiness (broker connection, outbox backlog,
/// endpoints paused by the kill switch), served at <c>/health/live</c> and <c>/health/ready</c> when
/// <c>QazBus:Health:Port</c> is set.</item>
/// </list>
/// Settings are validated at start: a bad value stops the host with a message naming its key.
/// See docs/telemetry.md for every span, attribute and metric.
/// </remarks>
public static class QazBusServiceDefaultsExtensions
{
    /// <summary>The standard OpenTelemetry variable whose presence turns the OTLP exporter on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Adds telemetry, background gauges and health endpoints, configured from <paramref name="builder"/>'s
    /// configuration. The bus itself is added by <c>builder.AddQazBus()</c>; the order of the two calls does not matter.
    /// </summary>
    /// <param name="builder">The worker's host builder.</param>
    /// <returns><paramref name="builder"/>, to chain further registrations.</returns>
    /// <example><code>
    /// var builder = Host.CreateApplicationBuilder(args);
    /// builder.AddQazBusServiceDefaults();
    /// builder.AddQazBus().AddHandler&lt;AddressChanged, AddressChangedHandler&gt;("address-changes");
    /// await builder.Build().RunAsync();
    /// </code></example>
    public static IHostApplicationBuilder AddQazBusServiceDefaults(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddQazBusServiceDefaults(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Adds telemetry, background gauges and health endpoints, configured from <paramref name="configuration"/>
    /// (the <c>QazBus:Telemetry</c> and <c>QazBus:Health</c> sections and <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).
    /// Calling it again adds nothing.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The host's configuration, environment variables included.</param>
    /// <returns><paramref name="services"/>, to chain further registrations.</returns>
    public static IServiceCollection AddQazBusServiceDefaults(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // A second call would add a second set of exporters and a second health server on the same port.
        if (services.Any(d => d.ServiceType == typeof(ServiceDefaultsMarker)))
        {
            return services;
        }

        services.AddSingleton<ServiceDefaultsMarker>();
        services.AddQazBusTelemetry(configuration);
        services.AddQazBusHealth(configuration);
        return services;
    }

    /// <summary>Marks a service collection that already has the defaults.</summary>
    private sealed class ServiceDefaultsMarker;
}
