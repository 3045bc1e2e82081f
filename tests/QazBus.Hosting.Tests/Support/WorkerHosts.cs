using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using QazBus.Runtime;
using QazBus.TestSupport;

namespace QazBus.Hosting.Tests.Support;

/// <summary>
/// A worker host as an agency runs it: <see cref="TestHosts"/> (Generic Host, configuration, AddQazBus) plus
/// AddQazBusServiceDefaults, configured from the same settings.
/// </summary>
public static class WorkerHosts
{
    public static IHost Build(
        string system,
        string? rabbitMqUri,
        Action<QazBusBuilder>? bus = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        return TestHosts.Build(system, rabbitMqUri, bus, settings, s =>
        {
            s.AddQazBusServiceDefaults(configuration);
            services?.Invoke(s);
        });
    }

    /// <summary>Adds an in-memory span exporter. In one process it sees the QazBus spans of every host.</summary>
    public static void ExportSpansTo(this IServiceCollection services, RecordedCollection<Activity> spans) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));

    /// <summary>Adds an in-memory metric exporter; call <see cref="CollectMetrics"/> to export.</summary>
    public static void ExportMetricsTo(this IServiceCollection services, RecordedCollection<MetricSnapshot> metrics) =>
        services.ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics));

    /// <summary>Exports the host's metrics now, after clearing what earlier collections exported.</summary>
    public static IReadOnlyList<MetricSnapshot> CollectMetrics(this IHost host, RecordedCollection<MetricSnapshot> metrics)
    {
        metrics.Clear();
        Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000), "metrics were not collected within 10 s");
        return metrics.Snapshot();
    }

    /// <summary>Starts hosts in order; stops and disposes them in reverse order when disposed.</summary>
    public static async Task<AsyncHosts> StartAsync(params IHost[] hosts)
    {
        var started = new AsyncHosts();
        foreach (var host in hosts)
        {
            started.Add(host);
            await host.StartAsync();
        }

        return started;
    }
}

/// <summary>Started hosts, stopped and disposed together.</summary>
public sealed class AsyncHosts : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    public void Add(IHost host) => _hosts.Add(host);

    public async ValueTask DisposeAsync()
    {
        for (var i = _hosts.Count - 1; i >= 0; i--)
        {
            try
            {
                await _hosts[i].StopAsync(TimeSpan.FromSeconds(10));
            }
            finally
            {
                _hosts[i].Dispose();
            }
        }
    }
}
