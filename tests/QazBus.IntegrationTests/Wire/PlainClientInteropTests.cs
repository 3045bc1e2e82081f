using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Wire;

/// <summary>
/// The promise to agencies that do not use .NET: a plain AMQP client with JSON and headers can publish to and
/// read from QazBus systems. The "plain client" side uses RabbitMQ.Client directly and no QazBus type.
/// </summary>
public sealed class PlainClientInteropTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    [Fact]
    public async Task A_message_from_a_plain_AMQP_client_is_handled_by_a_QazBus_handler()
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var sink = new MessageSink<AddressChanged>();
        using var host = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            services: s => s.AddSingleton(sink));
        await host.StartAsync();

        // What a Java or Python team writes from the contract's JSON Schema and the header list in the README.
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var id = Guid.NewGuid().ToString();
        const string body = """
            {"iin":"900102300123","newAddress":{"region":"Astana","locality":"Astana","street":"Mangilik El 8, 12","postalCode":"010000"},"validFrom":"2026-12-01"}
            """;
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            Persistent = true,
            Headers = new Dictionary<string, object?>
            {
                ["cloudEvents:specversion"] = "1.0",
                ["cloudEvents:id"] = id,
                ["cloudEvents:source"] = "mju.population-registry",
                ["cloudEvents:type"] = "mju.population.address-changed",
                ["cloudEvents:time"] = "2026-11-29T10:15:00Z",
                ["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.address-changed:v1",
                ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            },
        };
        await channel.BasicPublishAsync("mju.population.address-changed.v1", string.Empty, false, properties, Encoding.UTF8.GetBytes(body));

        var (message, context) = await sink.WaitForAsync((_, c) => c.MessageId == id);
        Assert.Equal("900102300123", message.Iin);
        Assert.Equal("Mangilik El 8, 12", message.NewAddress.Street);
        Assert.Equal(new DateOnly(2026, 12, 1), message.ValidFrom);
        Assert.Equal("mju.population-registry", context.Source);
        Assert.Equal("mju.population.address-changed", context.Contract);
        Assert.Equal(1, context.Version);
        Assert.Equal($"{system}.address-changes", context.Endpoint);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 10, 15, 0, TimeSpan.Zero), context.Time);

        await host.StopAsync();
        await channel.QueueDeleteAsync($"{system}.address-changes");
        await channel.QueueDeleteAsync($"{system}.address-changes_error");
    }

    [Fact]
    public async Task A_message_published_by_QazBus_is_read_and_understood_by_a_plain_AMQP_client()
    {
        // The plain client subscribes the way any agency would: its own quorum queue bound to the contract exchange.
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = $"kgd.plain-reader-{TestHosts.Unique()}.citizens";
        await channel.ExchangeDeclareAsync("mju.population.citizen-registered.v1", ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        await channel.QueueBindAsync(queue, "mju.population.citizen-registered.v1", string.Empty);

        using var host = TestHosts.Build("mju.population-registry", Uri);
        await host.StartAsync();
        var publisher = host.Services.GetRequiredService<IContractPublisher>();
        var id = await publisher.PublishAsync(new CitizenRegistered
        {
            Iin = "900102300123",
            FullName = "Aigerim Seitkali",
            BirthDate = new DateOnly(1990, 1, 2),
            RegisteredAt = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero),
        }, new PublishOptions { CorrelationId = "case-42" });

        var delivery = await channel.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(delivery);
        var props = delivery.BasicProperties;
        Assert.Equal("application/json", props.ContentType);
        Assert.Equal(DeliveryModes.Persistent, props.DeliveryMode);
        Assert.Equal(id, props.MessageId);
        Assert.Equal("case-42", props.CorrelationId);

        string Header(string name) => Encoding.UTF8.GetString(Assert.IsType<byte[]>(props.Headers![name]));
        Assert.Equal("1.0", Header("cloudEvents:specversion"));
        Assert.Equal(id, Header("cloudEvents:id"));
        Assert.Equal("mju.population-registry", Header("cloudEvents:source"));
        Assert.Equal("mju.population.citizen-registered", Header("cloudEvents:type"));
        Assert.Equal("urn:qazbus:contract:mju.population.citizen-registered:v1", Header("cloudEvents:dataschema"));
        Assert.True(DateTimeOffset.TryParse(Header("cloudEvents:time"), out _));
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", Header("traceparent"));
        Assert.DoesNotContain(props.Headers!.Keys, k => k.StartsWith("MT-", StringComparison.Ordinal));

        // The body is the contract's plain camelCase JSON: no envelope, no .NET type names.
        var bodyText = Encoding.UTF8.GetString(delivery.Body.Span);
        Output.WriteLine(bodyText);
        using var json = JsonDocument.Parse(bodyText);
        var root = json.RootElement;
        Assert.Equal("900102300123", root.GetProperty("iin").GetString());
        Assert.Equal("Aigerim Seitkali", root.GetProperty("fullName").GetString());
        Assert.Equal("1990-01-02", root.GetProperty("birthDate").GetString());
        Assert.Equal(4, root.EnumerateObject().Count());
        Assert.DoesNotContain("QazBus", bodyText, StringComparison.Ordinal);

        await host.StopAsync();
        await channel.QueueDeleteAsync(queue);
    }
}
