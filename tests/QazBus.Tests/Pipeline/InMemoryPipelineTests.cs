using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;
using QazBus.Transport;
using QazBus.Transport.InMemory;
using QazBus.Wire;

namespace QazBus.Tests.Pipeline;

/// <summary>Pipeline logic on the in-memory transport: the same pipeline the RabbitMQ transport runs.</summary>
public sealed class InMemoryPipelineTests
{
    private static AddressChanged Sample(string iin = "900102300123") => new()
    {
        Iin = iin,
        NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Kabanbay Batyr 1" },
        ValidFrom = new DateOnly(2026, 12, 1),
    };

    [Fact]
    public async Task Two_hosts_sharing_a_broker_exchange_a_contract_with_its_metadata()
    {
        var broker = new InMemoryBroker();
        var sink = new MessageSink<AddressChanged>();
        using var taxOffice = TestHosts.Build("kgd.tax-office", null,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            services: s => s.AddSingleton(broker).AddSingleton(sink));
        using var registry = TestHosts.Build("mju.population-registry", null, services: s => s.AddSingleton(broker));
        await taxOffice.StartAsync();
        await registry.StartAsync();

        var id = await registry.Services.GetRequiredService<IContractPublisher>()
            .PublishAsync(Sample(), new PublishOptions { CorrelationId = "case-7", Time = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero) });

        var (message, context) = await sink.WaitForAsync((_, c) => c.MessageId == id);
        Assert.Equal("Kabanbay Batyr 1", message.NewAddress.Street);
        Assert.Equal("mju.population-registry", context.Source);
        Assert.Equal("case-7", context.CorrelationId);
        Assert.Equal("kgd.tax-office.address-changes", context.Endpoint);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero), context.Time);
        Assert.Equal(1, context.Attempt);

        await registry.StopAsync();
        await taxOffice.StopAsync();
    }

    [Fact]
    public async Task A_handler_that_fails_twice_then_succeeds_is_handled_once_on_the_third_attempt()
    {
        var broker = new InMemoryBroker();
        var sink = new MessageSink<AddressChanged> { FailWhen = c => c.Attempt < 3 };
        using var taxOffice = TestHosts.Build("kgd.tax-office", null,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            services: s => s.AddSingleton(broker).AddSingleton(sink));
        using var registry = TestHosts.Build("mju.population-registry", null, services: s => s.AddSingleton(broker));
        await taxOffice.StartAsync();
        await registry.StartAsync();

        var id = await registry.Services.GetRequiredService<IContractPublisher>().PublishAsync(Sample());
        var (_, context) = await sink.WaitForAsync((_, c) => c.MessageId == id);
        Assert.Equal(3, context.Attempt);
        Assert.Single(sink.Received);
        Assert.Equal(0, broker.CountOf("kgd.tax-office.address-changes_error"));

        await registry.StopAsync();
        await taxOffice.StopAsync();
    }

    [Fact]
    public async Task Malformed_json_goes_to_the_error_queue_and_the_next_message_flows()
    {
        var broker = new InMemoryBroker();
        var sink = new MessageSink<AddressChanged>();
        using var taxOffice = TestHosts.Build("kgd.tax-office", null,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            services: s => s.AddSingleton(broker).AddSingleton(sink));
        await taxOffice.StartAsync();
        var transport = taxOffice.Services.GetRequiredService<IBusTransport>();

        var headers = new Dictionary<string, object?>
        {
            [WireHeaders.SpecVersion] = "1.0",
            [WireHeaders.Id] = "bad-1",
            [WireHeaders.Source] = "mju.population-registry",
            [WireHeaders.Type] = "mju.population.address-changed",
            [WireHeaders.Time] = "2026-11-29T10:00:00Z",
            [WireHeaders.DataSchema] = "urn:qazbus:contract:mju.population.address-changed:v1",
        };
        await transport.PublishAsync("mju.population.address-changed.v1",
            new TransportMessage { Body = Encoding.UTF8.GetBytes("{not json"), Headers = headers }, default);
        using var registry = TestHosts.Build("mju.population-registry", null, services: s => s.AddSingleton(broker));
        await registry.StartAsync();
        var goodId = await registry.Services.GetRequiredService<IContractPublisher>().PublishAsync(Sample());

        await sink.WaitForAsync((_, c) => c.MessageId == goodId);
        Assert.True(broker.TryTake("kgd.tax-office.address-changes_error", out var dead));
        Assert.Equal("malformed-json", dead!.GetHeader(WireHeaders.ErrorReason));
        Assert.Equal("bad-1", dead.GetHeader(WireHeaders.Id));
        Assert.Equal("{not json", Encoding.UTF8.GetString(dead.Body.Span));

        await registry.StopAsync();
        await taxOffice.StopAsync();
    }
}
