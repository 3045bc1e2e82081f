using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using QazBus.Configuration;
using QazBus.Telemetry;

namespace QazBus.Hosting.Telemetry;

/// <summary>OpenTelemetry for a QazBus worker, with exporters chosen by the OpenTelemetry environment variables.</summary>
internal static class TelemetryRegistration
{
    /// <summary>The .NET runtime's built-in meter (GC, thread pool, exceptions): free to collect, useful in every incident.</summary>
    private const string RuntimeMeter = "System.Runtime";

    public static IServiceCollection AddQazBusTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>()
            .Bind(configuration.GetSection(TelemetryOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());

        // Exporters are chosen now, while the services can still be changed; the rest is read at start.
        var console = configuration.GetValue<bool>($"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.Console)}");
        var otlp = !string.IsNullOrWhiteSpace(configuration[QazBusServiceDefaultsExtensions.OtlpEndpointVariable]);

        var openTelemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddDetector(provider => new QazBusResourceDetector(provider.GetRequiredService<IOptions<QazBusOptions>>().Value))
                .AddEnvironmentVariableDetector())
            .WithTracing(tracing =>
            {
                tracing.AddSource(QazBusDiagnostics.SourceName);
                if (console)
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                // "Polly": retries, timeouts and circuit-breaker events of the legacy-system HTTP clients.
                metrics.AddMeter(QazBusDiagnostics.SourceName).AddMeter(RuntimeMeter).AddMeter("Polly");
                if (console)
                {
                    metrics.AddConsoleExporter();
                }
            });

        // OTLP for traces, metrics and logs, configured by OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS, … as the
        // OpenTelemetry specification defines them. Not set: nothing leaves the process.
        if (otlp)
        {
            openTelemetry.UseOtlpExporter();
        }

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BusGauges>();
        services.AddHostedService<BusSampler>();
        return services;
    }
}
