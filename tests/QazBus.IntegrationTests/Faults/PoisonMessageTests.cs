using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Faults;

/// <summary>
/// A message that kills its consumer process every time it is handled (Environment.FailFast, as a native crash or an
/// out-of-memory kill would): a supervisor restarts the worker each time, and after a bounded number of deliveries
/// the message lands in the error queue with the reason <c>delivery-limit</c>; the messages behind it flow.
/// </summary>
public sealed class PoisonMessageTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const int DeliveryLimit = 3;
    private const int Good = 20;

    [Fact]
    public async Task A_message_that_crashes_the_worker_every_time_goes_to_the_error_queue_after_the_delivery_limit()
    {
        await using var postgres = new PostgresFixture();
        await postgres.InitializeAsync();
        var effects = await EffectTable.CreateAsync(postgres.ConnectionString, $"poison_{TestHosts.Unique()}");
        var system = $"kgd.poison-{TestHosts.Unique()}";
        var queue = $"{system}.address-changes";
        // One message at a time, so the crash takes only the poison message with it.
        string[] settings = ["Worker:Mode=poison", $"QazBus:RabbitMq:DeliveryLimit={DeliveryLimit}", "QazBus:ConcurrencyLimit=1", "QazBus:PrefetchCount=1"];
        var worker = WorkerProcess.Start(Output, "worker-1", system, Uri, postgres.ConnectionString, effects.Schema, settings);
        var starts = 1;
        try
        {
            await worker.WaitForQueueAsync(Broker, queue, Output);

            using var registry = TestHosts.Build("mju.population-registry", Uri);
            await registry.StartAsync();
            var publisher = registry.Services.GetRequiredService<IContractPublisher>();
            var poison = await publisher.PublishAsync(Messages.Address(0) with { Iin = "999999999999" });
            var good = new List<string>();
            for (var i = 1; i <= Good; i++)
            {
                good.Add(await publisher.PublishAsync(Messages.Address(i)));
            }

            await registry.StopAsync();

            // The supervisor (systemd, Kubernetes) restarts a worker that died; here the test does.
            await Progress.UntilAsync("every good message", async () =>
                {
                    if (worker.HasExited)
                    {
                        Output.WriteLine($"worker-{starts} died with exit code {worker.ExitCode}; restarting it");
                        Assert.True(starts <= DeliveryLimit + 1, $"the worker was restarted {starts} times: the poison message crash-loops the endpoint");
                        worker.Dispose();
                        worker = WorkerProcess.Start(Output, $"worker-{++starts}", system, Uri, postgres.ConnectionString, effects.Schema, settings);
                    }

                    return await effects.DistinctAsync() >= Good;
                },
                async () => $"starts {starts}, effects {await effects.CountAsync()}; queue {await Broker.QueueStateAsync(queue)}", null, Output.WriteLine);

            await using var connection = await Broker.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            var dead = await BrokerProbe.TakeAsync(channel, $"{queue}_error", TimeSpan.FromSeconds(30));
            Output.WriteLine($"dead letter: {BrokerProbe.Header(dead, "qazbus-error-reason")}: {BrokerProbe.Header(dead, "qazbus-error-message")}");
            Assert.Equal(poison, BrokerProbe.Header(dead, "cloudEvents:id"));
            Assert.Equal("delivery-limit", BrokerProbe.Header(dead, "qazbus-error-reason"));
            Assert.Contains($"DeliveryLimit allows {DeliveryLimit}", BrokerProbe.Header(dead, "qazbus-error-message"), StringComparison.Ordinal);
            Assert.Equal(DeliveryLimit + 1, starts); // crashed on each of its first DeliveryLimit deliveries, refused on the last
            Assert.Empty(await effects.MissingAsync(good));
            Assert.Empty(await effects.DoublesAsync());
            Assert.Equal(Good, await effects.CountAsync());
        }
        finally
        {
            worker.Dispose();
            await using var connection = await Broker.CreateConnectionAsync();
            await BrokerProbe.DeleteEndpointAsync(connection, queue);
        }
    }
}
