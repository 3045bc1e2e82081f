using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Runtime;
using QazBus.Publishing;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Retry;

/// <summary>Central retry on the real broker: immediate retries, delayed redelivery through TTL queues, permanent failures, kill switch.</summary>
public sealed class RetryTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private static AddressChanged Sample(int i = 0) => new()
    {
        Iin = $"9001023{i:D5}",
        NewAddress = new Address { Region = "Karaganda oblys", Locality = "Karaganda", Street = $"Bukhar Zhyrau {i}" },
        ValidFrom = new DateOnly(2026, 12, 1),
    };

    private async Task<(string System, Microsoft.Extensions.Hosting.IHost Consumer, Microsoft.Extensions.Hosting.IHost Registry, IContractPublisher Publisher)> StartAsync(
        MessageSink<AddressChanged> sink, Dictionary<string, string?> settings)
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var consumer = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            settings: settings,
            services: s => s.AddSingleton(sink));
        await consumer.StartAsync();
        var registry = TestHosts.Build("mju.population-registry", Uri);
        await registry.StartAsync();
        return (system, consumer, registry, registry.Services.GetRequiredService<IContractPublisher>());
    }

    [Fact]
    public async Task A_handler_that_fails_twice_then_succeeds_completes_with_one_effect()
    {
        var sink = new MessageSink<AddressChanged> { FailWhen = c => c.Attempt <= 2 };
        var (system, consumer, registry, publisher) = await StartAsync(sink, new()
        {
            ["QazBus:Retry:ImmediateRetries"] = "1",
            ["QazBus:Retry:Delays"] = "1s",
        });

        var id = await publisher.PublishAsync(Sample());
        var (_, context) = await sink.WaitForAsync((_, c) => c.MessageId == id);
        Assert.Equal(3, context.Attempt); // attempts 1 and 2 in the first delivery, 3 after the redelivery
        await Task.Delay(1500); // nothing more may arrive
        Assert.Single(sink.Received, r => r.Context.MessageId == id);

        await consumer.StopAsync();
        await registry.StopAsync();
        consumer.Dispose();
        registry.Dispose();
        await using var connection = await Broker.CreateConnectionAsync();
        await BrokerProbe.DeleteEndpointAsync(connection, $"{system}.address-changes");
    }

    [Fact]
    public async Task A_poison_message_reaches_the_error_queue_after_exactly_the_configured_attempts_and_delays()
    {
        var sink = new MessageSink<AddressChanged> { FailWhen = _ => true };
        var (system, consumer, registry, publisher) = await StartAsync(sink, new()
        {
            ["QazBus:Retry:ImmediateRetries"] = "1",
            ["QazBus:Retry:Delays"] = "1s, 2s",
            ["QazBus:KillSwitch:Enabled"] = "false",
        });

        var id = await publisher.PublishAsync(Sample());
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var dead = await BrokerProbe.TakeAsync(channel, $"{system}.address-changes_error", TimeSpan.FromSeconds(20));

        // 3 deliveries (first + 2 redeliveries) × 2 attempts (first + 1 immediate retry) = 6 attempts.
        var attempts = sink.Attempts.Where(a => a.Context.MessageId == id).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], attempts.Select(a => a.Context.Attempt));
        Assert.Equal("6", BrokerProbe.Header(dead, "qazbus-attempts"));
        Assert.Equal("2", BrokerProbe.Header(dead, "qazbus-redeliveries"));
        Assert.Equal("handler-failed", BrokerProbe.Header(dead, "qazbus-error-reason"));
        Assert.NotNull(BrokerProbe.Header(dead, "qazbus-first-failure"));
        Assert.Equal(id, BrokerProbe.Header(dead, "cloudEvents:id"));

        // The delays are honoured by the broker's TTL queues: within 1 s over, never early.
        var firstDelay = attempts[2].At - attempts[1].At;
        var secondDelay = attempts[4].At - attempts[3].At;
        Output.WriteLine($"observed delays: {firstDelay.TotalMilliseconds:F0} ms (configured 1000), {secondDelay.TotalMilliseconds:F0} ms (configured 2000)");
        Assert.InRange(firstDelay, TimeSpan.FromMilliseconds(950), TimeSpan.FromMilliseconds(2000));
        Assert.InRange(secondDelay, TimeSpan.FromMilliseconds(1950), TimeSpan.FromMilliseconds(3000));

        await consumer.StopAsync();
        await registry.StopAsync();
        consumer.Dispose();
        registry.Dispose();
        await BrokerProbe.DeleteEndpointAsync(connection, $"{system}.address-changes");
    }

    [Fact]
    public async Task A_permanent_failure_skips_retries_and_redelivery()
    {
        var sink = new MessageSink<AddressChanged>
        {
            FailWhen = _ => true,
            Failure = _ => new ArgumentOutOfRangeException("iin", "No such taxpayer."),
        };
        var (system, consumer, registry, publisher) = await StartAsync(sink, new()
        {
            ["QazBus:Retry:ImmediateRetries"] = "3",
            ["QazBus:Retry:Delays"] = "1s",
            ["QazBus:Retry:PermanentExceptions:0"] = "System.ArgumentException",
        });

        var id = await publisher.PublishAsync(Sample());
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var dead = await BrokerProbe.TakeAsync(channel, $"{system}.address-changes_error");
        Assert.Equal("1", BrokerProbe.Header(dead, "qazbus-attempts"));
        Assert.Equal("System.ArgumentOutOfRangeException", BrokerProbe.Header(dead, "qazbus-error-exception"));
        Assert.Single(sink.Attempts, a => a.Context.MessageId == id);

        await consumer.StopAsync();
        await registry.StopAsync();
        consumer.Dispose();
        registry.Dispose();
        await BrokerProbe.DeleteEndpointAsync(connection, $"{system}.address-changes");
    }

    [Fact]
    public async Task The_kill_switch_pauses_a_failing_endpoint_and_resumes_it_after_the_pause()
    {
        var failing = true;
        var sink = new MessageSink<AddressChanged> { FailWhen = _ => Volatile.Read(ref failing) };
        var (system, consumer, registry, publisher) = await StartAsync(sink, new()
        {
            ["QazBus:Retry:ImmediateRetries"] = "0",
            ["QazBus:Retry:Delays"] = "none",
            ["QazBus:ConcurrencyLimit"] = "1",
            ["QazBus:PrefetchCount"] = "1",
            ["QazBus:KillSwitch:WindowSize"] = "10",
            ["QazBus:KillSwitch:MinimumMessages"] = "5",
            ["QazBus:KillSwitch:FailureRatio"] = "0.5",
            ["QazBus:KillSwitch:Pause"] = "00:00:03",
        });
        var status = consumer.Services.GetRequiredService<BusStatus>();
        var queue = $"{system}.address-changes";

        for (var i = 0; i < 5; i++)
        {
            await publisher.PublishAsync(Sample(i));
        }

        await sink.WaitForAttemptsAsync(_ => true, 5);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!status.PausedEndpoints.ContainsKey(queue) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(status.PausedEndpoints.ContainsKey(queue), "the endpoint should be paused after 5 failures of 5");

        // The downstream system recovers; messages sent during the pause wait in the queue.
        Volatile.Write(ref failing, false);
        var during = await publisher.PublishAsync(Sample(99));
        await Task.Delay(1000);
        Assert.DoesNotContain(sink.Attempts, a => a.Context.MessageId == during);

        await sink.WaitForAsync((_, c) => c.MessageId == during, TimeSpan.FromSeconds(10));
        Assert.False(status.PausedEndpoints.ContainsKey(queue));

        await consumer.StopAsync();
        await registry.StopAsync();
        consumer.Dispose();
        registry.Dispose();
        await using var connection = await Broker.CreateConnectionAsync();
        await BrokerProbe.DeleteEndpointAsync(connection, queue);
    }
}
