using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.MassTransit.Tests;

/// <summary>An SDK system publishes; ordinary MassTransit consumers on one QazBus endpoint receive, each only its own contract.</summary>
public sealed class SdkToMassTransitTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    [Fact]
    public async Task Each_contract_reaches_only_its_own_consumer_and_an_older_version_is_upcast()
    {
        var received = new Received();
        using var consumer = MassTransitHosts.Build($"kgd.tax-office-{TestHosts.Unique()}", Uri, received);
        using var registry = TestHosts.Build("mju.population-registry", Uri);
        await consumer.StartAsync();
        await registry.StartAsync();
        var publisher = registry.Services.GetRequiredService<IContractPublisher>();

        var address = await publisher.PublishAsync(new AddressChanged
        {
            Iin = "900102300123",
            NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Dostyk 5" },
            ValidFrom = new DateOnly(2026, 12, 1),
        });
        var v2 = await publisher.PublishAsync(new CitizenRegisteredV2
        {
            Iin = "900102300124", LastName = "Abaiuly", FirstName = "Ilyas", BirthDate = new DateOnly(1990, 1, 2), RegisteredAt = DateTimeOffset.UtcNow,
        });
        var v1 = await publisher.PublishAsync(new CitizenRegistered
        {
            Iin = "900102300125", FullName = "Abaiuly Ilyas", BirthDate = new DateOnly(1990, 1, 2), RegisteredAt = DateTimeOffset.UtcNow,
        });

        var a = await received.WaitForAsync(r => r.CloudEventsId == address);
        var b = await received.WaitForAsync(r => r.CloudEventsId == v2);
        var c = await received.WaitForAsync(r => r.CloudEventsId == v1);
        Assert.Equal(nameof(AddressConsumer), a.Consumer);
        Assert.Equal("Dostyk 5", Assert.IsType<AddressChanged>(a.Message).NewAddress.Street);
        Assert.Equal(nameof(CitizenConsumer), b.Consumer);
        Assert.Equal(nameof(CitizenConsumer), c.Consumer);
        Assert.Equal("900102300125", Assert.IsType<CitizenRegisteredV2>(c.Message).Iin);

        // Each message reached exactly one consumer, once: MassTransit's raw JSON would have run both consumers.
        Assert.Equal(3, received.Items.Count);
        await registry.StopAsync();
        await consumer.StopAsync();
    }
}
