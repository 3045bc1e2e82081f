using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Hosting.Health;
using QazBus.Publishing;
using QazBus.Hosting.Tests.Support;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Hosting.Tests.Health;

/// <summary>
/// Readiness follows the real broker: a private RabbitMQ node (other test assemblies share the dev/CI broker, so
/// this one is killed by its PID without touching theirs).
/// </summary>
public sealed class BrokerOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Readiness_turns_unhealthy_when_the_broker_is_killed_and_healthy_again_when_it_is_back()
    {
        await using var broker = await PrivateRabbitMq.StartNewAsync(output.WriteLine);
        output.WriteLine($"private RabbitMQ {broker.Uri} (pid {broker.ProcessId}, folder {broker.Home})");
        var host = HealthEndpointTests.Build(
            $"mju.population-registry-{TestHosts.Unique()}", // the owner's agency: it publishes and consumes its own contract
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            settings: new() { ["QazBus:Transport"] = "RabbitMq", ["QazBus:RabbitMq:Uri"] = broker.Uri },
            services: s => s.AddSingleton(new MessageSink<AddressChanged>()));
        await using (await WorkerHosts.StartAsync(host))
        {
            var server = host.Services.GetRequiredService<HealthEndpointServer>();
            var (status, ready) = await HealthEndpointTests.GetAsync(server, QazBusHealthChecks.ReadyPath);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("Healthy", ready.GetProperty("status").GetString());

            // Mid-stream: the kill comes once a message has gone end to end.
            var sink = host.Services.GetRequiredService<MessageSink<AddressChanged>>();
            var publisher = host.Services.GetRequiredService<IContractPublisher>();
            await publisher.PublishAsync(Change("before the outage"));
            await sink.WaitForAttemptsAsync(_ => true, 1, TimeSpan.FromSeconds(30));

            Assert.NotNull(broker.ProcessId);
            await broker.KillAsync(); // SIGKILL by PID (eng/rabbitmq.sh kill): gone at once, as in a crash

            var stopwatch = Stopwatch.StartNew();
            (status, ready) = await PollAsync(server, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(15));
            output.WriteLine($"unready {stopwatch.Elapsed.TotalSeconds:F1} s after the kill: {ready}");
            Assert.Equal("Unhealthy", ready.GetProperty("status").GetString());
            var checks = HealthEndpointTests.Checks(ready);
            Assert.Equal("Unhealthy", checks[QazBusHealthChecks.Broker].GetProperty("status").GetString());

            // Liveness stays up: a restart would not bring the broker back.
            var (liveStatus, _) = await HealthEndpointTests.GetAsync(server, QazBusHealthChecks.LivePath);
            Assert.Equal(HttpStatusCode.OK, liveStatus);

            await broker.StartAsync();
            stopwatch.Restart();
            (status, ready) = await PollAsync(server, HttpStatusCode.OK, TimeSpan.FromSeconds(60));
            output.WriteLine($"ready again {stopwatch.Elapsed.TotalSeconds:F1} s after the restart");
            Assert.Equal("Healthy", ready.GetProperty("status").GetString());

            // Ready means recovered: the endpoint consumes again, without a restart of the worker.
            await publisher.PublishAsync(Change("after the outage"));
            await sink.WaitForAttemptsAsync(c => true, 2, TimeSpan.FromSeconds(30));
            output.WriteLine($"consuming again {stopwatch.Elapsed.TotalSeconds:F1} s after the restart");
        }
    }

    private static AddressChanged Change(string street) => new()
    {
        Iin = "900102345678",
        NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = street },
        ValidFrom = new DateOnly(2026, 12, 1),
    };

    private static async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Body)> PollAsync(HealthEndpointServer server, HttpStatusCode wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await HealthEndpointTests.GetAsync(server, QazBusHealthChecks.ReadyPath);
            if (answer.Status == wanted)
            {
                return answer;
            }

            Assert.True(DateTime.UtcNow < deadline, $"readiness did not answer {(int)wanted} within {timeout.TotalSeconds} s; last answer {(int)answer.Status}: {answer.Body}");
            await Task.Delay(200);
        }
    }
}
