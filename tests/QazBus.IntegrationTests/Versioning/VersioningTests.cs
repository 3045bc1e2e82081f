using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;
using QazBus.Validation;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Versioning;

/// <summary>v1 and v2 side by side on the real broker; validation at both edges.</summary>
public sealed class VersioningTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    [Fact]
    public async Task A_v1_message_reaches_a_v2_handler_upcast_and_v2_messages_arrive_as_they_are()
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var sink = new MessageSink<CitizenRegisteredV2>();
        using var consumer = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<CitizenRegisteredV2, RecordingHandler<CitizenRegisteredV2>>("citizens"),
            services: s => s.AddSingleton(sink));
        await consumer.StartAsync();
        using var registry = TestHosts.Build("mju.population-registry", Uri);
        await registry.StartAsync();
        var publisher = registry.Services.GetRequiredService<IContractPublisher>();

        // During the migration window the registry still publishes v1 to mju.population.citizen-registered.v1...
        var v1 = await publisher.PublishAsync(new CitizenRegistered
        {
            Iin = "880515400321",
            FullName = "Nurlanov Daniyar Serikovich",
            BirthDate = new DateOnly(1988, 5, 15),
            RegisteredAt = DateTimeOffset.UtcNow,
        });
        // ...and already v2 to mju.population.citizen-registered.v2.
        var v2 = await publisher.PublishAsync(new CitizenRegisteredV2
        {
            Iin = "950101300456",
            LastName = "Akhmetova",
            FirstName = "Aruzhan",
            BirthDate = new DateOnly(1995, 1, 1),
            RegisteredAt = DateTimeOffset.UtcNow,
        });

        var (upcast, fromV1) = await sink.WaitForAsync((_, c) => c.MessageId == v1);
        Assert.Equal(1, fromV1.Version);
        Assert.Equal("Nurlanov", upcast.LastName);
        Assert.Equal("Daniyar", upcast.FirstName);
        Assert.Equal("Serikovich", upcast.Patronymic);
        var (native, fromV2) = await sink.WaitForAsync((_, c) => c.MessageId == v2);
        Assert.Equal(2, fromV2.Version);
        Assert.Equal("Akhmetova", native.LastName);
        Assert.Null(native.Patronymic);

        await consumer.StopAsync();
        await registry.StopAsync();
        await using var connection = await Broker.CreateConnectionAsync();
        await BrokerProbe.DeleteEndpointAsync(connection, $"{system}.citizens");
    }

    [Fact]
    public async Task An_invalid_message_is_refused_at_publish_naming_the_field()
    {
        using var registry = TestHosts.Build("mju.population-registry", Uri);
        await registry.StartAsync();
        var publisher = registry.Services.GetRequiredService<IContractPublisher>();

        var refused = await Assert.ThrowsAsync<ContractValidationException>(() => publisher.PublishAsync(new AddressChanged
        {
            Iin = "12345",
            NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Turan 1", PostalCode = "01A000" },
            ValidFrom = new DateOnly(2026, 12, 1),
        }));
        Assert.Contains(refused.Violations, v => v.Field == "iin" && v.Rule.Contains(@"^\d{12}$", StringComparison.Ordinal));
        Assert.Contains(refused.Violations, v => v.Field == "newAddress.postalCode");
        Assert.DoesNotContain("12345", refused.Message, StringComparison.Ordinal); // values can be personal data
        await registry.StopAsync();
    }

    [Fact]
    public async Task An_invalid_message_from_a_plain_client_is_dead_lettered_at_once_naming_the_field()
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var queue = $"{system}.address-changes";
        var sink = new MessageSink<AddressChanged>();
        using var consumer = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            services: s => s.AddSingleton(sink));
        await consumer.StartAsync();

        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var id = Guid.NewGuid().ToString();
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties
        {
            ContentType = "application/json",
            Headers = new Dictionary<string, object?>
            {
                ["cloudEvents:specversion"] = "1.0",
                ["cloudEvents:id"] = id,
                ["cloudEvents:source"] = "mju.population-registry",
                ["cloudEvents:type"] = "mju.population.address-changed",
                ["cloudEvents:time"] = "2026-11-29T10:15:00Z",
                ["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.address-changed:v1",
            },
        }, Encoding.UTF8.GetBytes("""{"iin":"12","newAddress":{"region":"Almaty","locality":"Almaty","street":"Abay 1"},"validFrom":"2026-12-01"}"""));

        var dead = await BrokerProbe.TakeAsync(channel, $"{queue}_error");
        Assert.Equal("schema-violation", BrokerProbe.Header(dead, "qazbus-error-reason"));
        Assert.Contains("'iin'", BrokerProbe.Header(dead, "qazbus-error-message"), StringComparison.Ordinal);
        Assert.Equal("0", BrokerProbe.Header(dead, "qazbus-attempts")); // permanent: the handler never ran
        Assert.Empty(sink.Attempts);

        await consumer.StopAsync();
        await BrokerProbe.DeleteEndpointAsync(connection, queue);
    }
}
