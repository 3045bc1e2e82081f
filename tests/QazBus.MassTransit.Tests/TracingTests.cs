using System.Diagnostics;
using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.MassTransit.Tests;

/// <summary>One W3C trace from an SDK publisher through a MassTransit consumer and what it publishes, and back to any AMQP reader.</summary>
public sealed class TracingTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    public sealed class Relay(Received received) : IConsumer<CitizenRegisteredV2>
    {
        public async Task Consume(ConsumeContext<CitizenRegisteredV2> context)
        {
            received.Add(Activity.Current?.TraceId.ToHexString() ?? "no-activity", context.Message, context);
            await context.Publish(new AddressChanged
            {
                Iin = context.Message.Iin,
                NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Dostyk 5" },
                ValidFrom = new DateOnly(2026, 12, 1),
            });
        }
    }

    [Fact]
    public async Task The_trace_of_an_SDK_publisher_continues_through_a_MassTransit_consumer_and_what_it_publishes()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "QazBus" or "MassTransit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var received = new Received();
        using var relay = TestHosts.Build($"mju.relay-{TestHosts.Unique()}", Uri, services: s =>
        {
            s.AddSingleton(received);
            s.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
            s.AddMassTransit(x =>
            {
                x.AddConsumer<Relay>();
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.UseQazBus(context);
                    cfg.QazBusEndpoint(context, "relay", e => e.ConfigureConsumer<Relay>(context));
                });
            });
        });
        using var registry = TestHosts.Build("mju.population-registry", Uri);
        await relay.StartAsync();
        await registry.StartAsync();
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, "mju.population.address-changed.v1", string.Empty);

        using var root = new ActivitySource("QazBus.MassTransit.Tests").StartActivity("root") ?? new Activity("root").Start();
        var traceId = root.TraceId.ToHexString();
        await registry.Services.GetRequiredService<IContractPublisher>().PublishAsync(new CitizenRegisteredV2
        {
            Iin = "900102300126", LastName = "Abaiuly", FirstName = "Ilyas", BirthDate = new DateOnly(1990, 1, 2), RegisteredAt = DateTimeOffset.UtcNow,
        });
        root.Stop();

        var consumed = await received.WaitForAsync(_ => true);
        Assert.Equal(traceId, consumed.Consumer); // the MassTransit consumer runs in the publisher's trace

        BasicGetResult? got = null;
        for (var i = 0; i < 100 && got is null; i++)
        {
            got = await channel.BasicGetAsync(queue, autoAck: true);
            if (got is null)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(got);
        var traceParent = Encoding.UTF8.GetString((byte[])got.BasicProperties.Headers!["traceparent"]!);
        Output.WriteLine($"root trace {traceId}; relayed message traceparent {traceParent}");
        Assert.Equal(traceId, traceParent.Split('-')[1]); // and so does what it publishes
        await registry.StopAsync();
        await relay.StopAsync();
    }
}
