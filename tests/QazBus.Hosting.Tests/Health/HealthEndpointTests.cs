using QazBus.Runtime;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using QazBus.Contracts.Population;
using QazBus.Hosting.Health;
using QazBus.Hosting.Tests.Support;
using QazBus.Hosting.Tests.Telemetry;
using QazBus.Observation;
using QazBus.Publishing;
using QazBus.TestSupport;

namespace QazBus.Hosting.Tests.Health;

/// <summary>Liveness and readiness over HTTP, on the embedded (in-memory) transport.</summary>
public sealed class HealthEndpointTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task A_running_worker_is_live_and_ready_with_each_check_named()
    {
        var host = Build();
        await using (await WorkerHosts.StartAsync(host))
        {
            var server = host.Services.GetRequiredService<HealthEndpointServer>();
            Assert.NotNull(server.Address);
            Assert.Equal("127.0.0.1", server.Address.Host); // loopback unless configured otherwise

            var (liveStatus, live) = await GetAsync(server, QazBusHealthChecks.LivePath);
            Assert.Equal(HttpStatusCode.OK, liveStatus);
            Assert.Equal("Healthy", live.GetProperty("status").GetString());
            Assert.Equal([QazBusHealthChecks.Self], Checks(live).Keys);

            var (readyStatus, ready) = await GetAsync(server, QazBusHealthChecks.ReadyPath);
            Assert.Equal(HttpStatusCode.OK, readyStatus);
            Assert.Equal("Healthy", ready.GetProperty("status").GetString());
            Assert.Equal(
                [QazBusHealthChecks.Broker, QazBusHealthChecks.Outbox, QazBusHealthChecks.PausedEndpoints],
                Checks(ready).Keys.Order(StringComparer.Ordinal));
            Assert.Equal("This system has no outbox.", Checks(ready)[QazBusHealthChecks.Outbox].GetProperty("description").GetString());

            using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(server.Address, QazBusHealthChecks.ReadyPath)));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal("no-store", head.Headers.CacheControl?.ToString());

            using var other = await Http.GetAsync(new Uri(server.Address, "/metrics"));
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            using var post = await Http.PostAsync(new Uri(server.Address, QazBusHealthChecks.ReadyPath), null);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
            Assert.Equal(["GET", "HEAD"], post.Content.Headers.Allow.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Without_a_port_no_endpoint_is_served_but_the_checks_still_run()
    {
        var host = Build(port: null);
        await using (await WorkerHosts.StartAsync(host))
        {
            Assert.Null(host.Services.GetRequiredService<HealthEndpointServer>().Address);
            var report = await host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, report.Status);
        }
    }

    [Fact]
    public async Task An_outbox_backlog_over_its_count_or_age_limit_makes_the_worker_unready_and_shows_in_the_gauges()
    {
        var probe = new FakeOutboxBacklogProbe { Backlog = new OutboxBacklog(5, TimeSpan.FromSeconds(10)) };
        var metrics = new RecordedCollection<MetricSnapshot>();
        var host = Build(
            settings: new()
            {
                ["QazBus:Health:OutboxBacklogLimit"] = "100",
                ["QazBus:Health:OutboxAgeLimit"] = "00:05:00",
                ["QazBus:Telemetry:SampleInterval"] = "00:00:00.1",
            },
            services: s =>
            {
                s.AddSingleton<IOutboxBacklogProbe>(probe);
                s.ExportMetricsTo(metrics);
            });
        await using (await WorkerHosts.StartAsync(host))
        {
            var server = host.Services.GetRequiredService<HealthEndpointServer>();
            var (status, ready) = await GetAsync(server, QazBusHealthChecks.ReadyPath);
            Assert.Equal(HttpStatusCode.OK, status);
            var outbox = Checks(ready)[QazBusHealthChecks.Outbox];
            Assert.Equal("Healthy", outbox.GetProperty("status").GetString());
            Assert.Equal(5, outbox.GetProperty("data").GetProperty("count").GetInt64());

            probe.Backlog = new OutboxBacklog(101, TimeSpan.FromSeconds(42));
            (status, ready) = await GetAsync(server, QazBusHealthChecks.ReadyPath);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("Unhealthy", ready.GetProperty("status").GetString());
            outbox = Checks(ready)[QazBusHealthChecks.Outbox];
            Assert.Equal("Unhealthy", outbox.GetProperty("status").GetString());
            Assert.Contains("101 outbox row(s) wait", outbox.GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Contains("QazBus:Health:OutboxBacklogLimit (100)", outbox.GetProperty("description").GetString(), StringComparison.Ordinal);

            // The backlog gauges report the latest sample.
            IReadOnlyList<MetricSnapshot> collected = [];
            await WaitUntilAsync(() =>
            {
                collected = host.CollectMetrics(metrics);
                return MetricsTests.Sum(collected, "qazbus.outbox.backlog") == 101;
            });
            Assert.Equal(42, MetricsTests.Sum(collected, "qazbus.outbox.oldest_age"));

            // Few rows, but the oldest waits too long: the relay is stuck.
            probe.Backlog = new OutboxBacklog(3, TimeSpan.FromMinutes(6));
            (status, _) = await GetAsync(server, QazBusHealthChecks.ReadyPath);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);

            // An outbox that cannot be read is unready too; the exception text stays out of the answer.
            probe.Failure = new InvalidOperationException("Host=db.mju.local;Password=secret is unreachable");
            (status, ready) = await GetAsync(server, QazBusHealthChecks.ReadyPath);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.DoesNotContain("secret", ready.GetRawText(), StringComparison.Ordinal);
            Assert.Contains("InvalidOperationException", Checks(ready)[QazBusHealthChecks.Outbox].GetProperty("description").GetString(), StringComparison.Ordinal);

            // Liveness never depends on the outbox: restarting the worker would not help.
            var (liveStatus, _) = await GetAsync(server, QazBusHealthChecks.LivePath);
            Assert.Equal(HttpStatusCode.OK, liveStatus);
        }
    }

    [Fact]
    public async Task An_endpoint_paused_by_the_kill_switch_makes_readiness_degraded_but_still_passing()
    {
        var system = $"mju.audit-{TestHosts.Unique()}";
        var sink = new MessageSink<AddressChanged> { FailWhen = _ => true };
        var host = Build(
            system,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            settings: new()
            {
                ["QazBus:Retry:ImmediateRetries"] = "0",
                ["QazBus:Retry:Delays"] = "none",
                ["QazBus:KillSwitch:WindowSize"] = "1",
                ["QazBus:KillSwitch:MinimumMessages"] = "1",
                ["QazBus:KillSwitch:FailureRatio"] = "1",
                ["QazBus:KillSwitch:Pause"] = "00:10:00",
            },
            services: s => s.AddSingleton(sink));
        await using (await WorkerHosts.StartAsync(host))
        {
            var server = host.Services.GetRequiredService<HealthEndpointServer>();
            await host.Services.GetRequiredService<IContractPublisher>().PublishAsync(new AddressChanged
            {
                Iin = "900102345678",
                NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Kabanbay batyr 1" },
                ValidFrom = new DateOnly(2026, 12, 1),
            });

            JsonElement ready = default;
            HttpStatusCode status = default;
            await WaitUntilAsync(async () =>
            {
                (status, ready) = await GetAsync(server, QazBusHealthChecks.ReadyPath);
                return ready.GetProperty("status").GetString() == "Degraded";
            });
            Assert.Equal(HttpStatusCode.OK, status);
            var paused = Checks(ready)[QazBusHealthChecks.PausedEndpoints];
            Assert.Equal("Degraded", paused.GetProperty("status").GetString());
            Assert.Contains($"{system}.address-changes until ", paused.GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.True(paused.GetProperty("data").TryGetProperty($"{system}.address-changes", out _));
        }
    }

    internal static IHost Build(
        string? system = null,
        Action<QazBusBuilder>? bus = null,
        Dictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        string? port = "0")
    {
        settings ??= [];
        settings["QazBus:Health:Port"] = port;
        return WorkerHosts.Build(system ?? $"mju.population-registry-{TestHosts.Unique()}", rabbitMqUri: null, bus, settings, services);
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HealthEndpointServer server, string path)
    {
        using var response = await Http.GetAsync(new Uri(server.Address!, path));
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.Clone());
    }

    internal static Dictionary<string, JsonElement> Checks(JsonElement body) =>
        body.GetProperty("checks").EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100);
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));
}
