using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.TestSupport;
using QazBus.Wire;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.MassTransit.Tests;

/// <summary>A MassTransit system publishes contracts; an SDK system handles them, and a plain AMQP client sees exactly the README's wire.</summary>
public sealed class MassTransitToSdkTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private static readonly AddressChanged Address = new()
    {
        Iin = "900102300123",
        NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Dostyk 5" },
        ValidFrom = new DateOnly(2026, 12, 1),
    };

    [Fact]
    public async Task Each_contract_published_through_MassTransit_reaches_the_SDK_handler()
    {
        var addresses = new MessageSink<AddressChanged>();
        var citizens = new MessageSink<CitizenRegisteredV2>();
        using var sdk = TestHosts.Build($"kgd.tax-office-{TestHosts.Unique()}", Uri,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("addresses")
                .AddHandler<CitizenRegisteredV2, RecordingHandler<CitizenRegisteredV2>>("citizens"),
            services: s => s.AddSingleton(addresses).AddSingleton(citizens));
        using var mt = MassTransitHosts.BuildPublisher("mju.population-registry", Uri);
        await sdk.StartAsync();
        await mt.StartAsync();
        var publish = mt.Services.GetRequiredService<IPublishEndpoint>();

        await publish.Publish(Address);
        await publish.Publish(new CitizenRegisteredV2 { Iin = "900102300124", LastName = "Abaiuly", FirstName = "Ilyas", BirthDate = new DateOnly(1990, 1, 2), RegisteredAt = DateTimeOffset.UtcNow });
        await publish.Publish(new CitizenRegistered { Iin = "900102300125", FullName = "Abaiuly Ilyas", BirthDate = new DateOnly(1990, 1, 2), RegisteredAt = DateTimeOffset.UtcNow });

        var (address, context) = await addresses.WaitForAsync((_, _) => true);
        Assert.Equal(Address, address);
        Assert.Equal("mju.population-registry", context.Source);
        await citizens.WaitForAsync((m, c) => m.Iin == "900102300124" && c.Version == 2);
        await citizens.WaitForAsync((m, c) => m.Iin == "900102300125" && c.Version == 1); // upcast by the SDK
        await mt.StopAsync();
        await sdk.StopAsync();
    }

    [Fact]
    public async Task A_plain_AMQP_client_reads_exactly_the_wire_the_README_specifies()
    {
        using var mt = MassTransitHosts.BuildPublisher("mju.population-registry", Uri);
        await mt.StartAsync();
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        const string Exchange = "mju.population.address-changed.v1";
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, Exchange, string.Empty);

        await mt.Services.GetRequiredService<IPublishEndpoint>().Publish(Address);
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
        var properties = got.BasicProperties;
        var headers = properties.Headers!.ToDictionary(h => h.Key, h => h.Value is byte[] b ? Encoding.UTF8.GetString(b) : h.Value?.ToString());
        foreach (var (name, value) in headers)
        {
            Output.WriteLine($"{name}: {value}");
        }

        // Body: the contract's camelCase JSON, byte for byte as the SDK writes it; no MassTransit envelope.
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(Address, BusJson.Options), got.Body.ToArray());

        // Headers: the CloudEvents attributes and traceparent, nothing of MassTransit's.
        Assert.DoesNotContain(headers.Keys, k => k.StartsWith("MT-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("1.0", headers["cloudEvents:specversion"]);
        Assert.Equal("mju.population-registry", headers["cloudEvents:source"]);
        Assert.Equal("mju.population.address-changed", headers["cloudEvents:type"]);
        Assert.Equal("urn:qazbus:contract:mju.population.address-changed:v1", headers["cloudEvents:dataschema"]);
        Assert.True(DateTimeOffset.TryParse(headers["cloudEvents:time"], System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", headers["traceparent"]);
        Assert.Empty(headers.Keys.Except(["cloudEvents:specversion", "cloudEvents:id", "cloudEvents:source", "cloudEvents:type", "cloudEvents:time", "cloudEvents:dataschema", "traceparent", "x-dotnet-pub-seq-no"]));

        // AMQP properties as the SDK sets them.
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal(DeliveryModes.Persistent, properties.DeliveryMode);
        Assert.Equal(headers["cloudEvents:id"], properties.MessageId);
        Assert.Equal("mju.population.address-changed", properties.Type);
        Assert.Equal("mju.population-registry", properties.AppId);
        Assert.True(properties.IsTimestampPresent());
        await mt.StopAsync();
    }

    [Fact]
    public async Task A_system_cannot_publish_a_contract_its_agency_does_not_own()
    {
        using var mt = MassTransitHosts.BuildPublisher("kgd.tax-office", Uri);
        await mt.StartAsync();
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => mt.Services.GetRequiredService<IPublishEndpoint>().Publish(Address));
        Output.WriteLine(refused.ToString());
        Assert.Contains("only systems of agency 'mju' publish it", refused.ToString(), StringComparison.Ordinal);
        await mt.StopAsync();
    }
}
