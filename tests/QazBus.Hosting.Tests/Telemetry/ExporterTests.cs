using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using QazBus.Contracts.Population;
using QazBus.Hosting.Tests.Support;
using QazBus.Publishing;
using QazBus.TestSupport;

namespace QazBus.Hosting.Tests.Telemetry;

/// <summary>Exporters by OpenTelemetry convention, and the service's name in every exported item.</summary>
public sealed class ExporterTests
{
    private static readonly Action<ILogger, Exception?> LogWarning =
        LoggerMessage.Define(LogLevel.Warning, new EventId(1, "Test"), "A warning for the log pipeline.");

    [Fact]
    public async Task With_OTEL_EXPORTER_OTLP_ENDPOINT_set_spans_metrics_and_logs_go_to_that_OTLP_receiver()
    {
        using var receiver = new FakeOtlpReceiver();
        var host = Build(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        await using (await WorkerHosts.StartAsync(host))
        {
            await PublishAsync(host);
            LogWarning(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("QazBus.Test"), null);
            Assert.True(host.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
            Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
            Assert.True(host.Services.GetRequiredService<LoggerProvider>().ForceFlush(10_000));
            await receiver.WaitForAsync("/v1/traces");
            await receiver.WaitForAsync("/v1/metrics");
            await receiver.WaitForAsync("/v1/logs");
            Assert.All(receiver.Requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
        }
    }

    [Fact]
    public async Task Without_configuration_nothing_is_exported()
    {
        IServiceCollection? registered = null;
        var console = await CaptureConsoleAsync(async () =>
        {
            var host = Build([], services => registered = services);
            await using (await WorkerHosts.StartAsync(host))
            {
                await PublishAsync(host); // spans and metrics are made, and go nowhere
                host.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000);
                host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
            }
        });

        Assert.DoesNotContain("mju.population.address-changed.v1 publish", console, StringComparison.Ordinal);
        Assert.DoesNotContain("qazbus.messages.published", console, StringComparison.Ordinal);
        Assert.DoesNotContain(registered!, IsOtlpExporter);

        // The same check sees the OTLP exporter when it is configured, so the assertion above means something.
        IServiceCollection? configured = null;
        Build(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317" }, services => configured = services).Dispose();
        Assert.Contains(configured!, IsOtlpExporter);
    }

    [Fact]
    public async Task The_console_exporter_writes_spans_and_metrics_when_QazBus_Telemetry_Console_is_true()
    {
        var console = await CaptureConsoleAsync(async () =>
        {
            var host = Build(new() { ["QazBus:Telemetry:Console"] = "true" });
            await using (await WorkerHosts.StartAsync(host))
            {
                await PublishAsync(host);
                host.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000);
                host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
            }
        });

        Assert.Contains("mju.population.address-changed.v1 publish", console, StringComparison.Ordinal);
        Assert.Contains("qazbus.messages.published", console, StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_is_named_after_the_system_and_its_agency_unless_OTEL_SERVICE_NAME_says_otherwise()
    {
        var system = $"mju.population-registry-{TestHosts.Unique()}";
        using (var host = WorkerHosts.Build(system, rabbitMqUri: null))
        {
            var resource = Attributes(host);
            Assert.Equal(system, resource["service.name"]);
            Assert.Equal("mju", resource["service.namespace"]);
            Assert.True(resource.ContainsKey("service.instance.id"));
        }

        using (var host = WorkerHosts.Build(system, rabbitMqUri: null, settings: new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = "registry-override" }))
        {
            Assert.Equal("registry-override", Attributes(host)["service.name"]);
        }

        static Dictionary<string, object> Attributes(IHost host) =>
            host.Services.GetRequiredService<TracerProvider>().GetResource().Attributes.ToDictionary(a => a.Key, a => a.Value);
    }

    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null) =>
        WorkerHosts.Build($"mju.population-registry-{TestHosts.Unique()}", rabbitMqUri: null, settings: settings, services: services);

    private static Task<string> PublishAsync(IHost host) =>
        host.Services.GetRequiredService<IContractPublisher>().PublishAsync(new AddressChanged
        {
            Iin = "900102345678",
            NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Kabanbay batyr 1" },
            ValidFrom = new DateOnly(2026, 12, 1),
        });

    // UseOtlpExporter registers its options and exporter services; seeing none of them means it was not called.
    private static bool IsOtlpExporter(ServiceDescriptor descriptor) =>
        new[] { descriptor.ServiceType, descriptor.ImplementationType, descriptor.IsKeyedService ? null : descriptor.ImplementationInstance?.GetType() }
            .Concat(descriptor.ServiceType.GenericTypeArguments)
            .Any(type => type?.Assembly.GetName().Name == "OpenTelemetry.Exporter.OpenTelemetryProtocol");

    // The console exporter writes to Console.Out; tests in this assembly run one at a time, so swapping it is safe.
    private static async Task<string> CaptureConsoleAsync(Func<Task> run)
    {
        var captured = new StringWriter();
        var original = Console.Out;
        Console.SetOut(TextWriter.Synchronized(captured));
        try
        {
            await run();
        }
        finally
        {
            Console.SetOut(original);
        }

        return captured.ToString();
    }

    /// <summary>An OTLP/HTTP receiver on loopback that records what it is sent and answers 200.</summary>
    private sealed class FakeOtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, string? ContentType)> _requests = new();

        public FakeOtlpReceiver()
        {
            var port = FreePort();
            Endpoint = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Endpoint.ToString());
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public Uri Endpoint { get; }

        public IReadOnlyCollection<(string Path, string? ContentType)> Requests => _requests.ToArray();

        public async Task WaitForAsync(string path)
        {
            var deadline = Stopwatch.StartNew();
            while (!_requests.Any(r => r.Path == path))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), $"nothing was sent to {path}; got {string.Join(", ", _requests.Select(r => r.Path))}");
                await Task.Delay(50);
            }
        }

        public void Dispose() => _listener.Close();

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                await context.Request.InputStream.CopyToAsync(Stream.Null);
                _requests.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }
    }
}
