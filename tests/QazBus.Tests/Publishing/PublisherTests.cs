using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;

namespace QazBus.Tests.Publishing;

public sealed class PublisherTests
{
    [Fact]
    public async Task A_system_cannot_publish_a_contract_its_agency_does_not_own()
    {
        using var host = TestHosts.Build("kgd.tax-office", rabbitMqUri: null);
        await host.StartAsync();
        var publisher = host.Services.GetRequiredService<IContractPublisher>();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.PublishAsync(new CitizenRegistered
        {
            Iin = "900102300123",
            FullName = "A B",
            BirthDate = new DateOnly(1990, 1, 2),
            RegisteredAt = DateTimeOffset.UtcNow,
        }));
        Assert.Contains("only systems of agency 'mju' publish it", failure.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task Publishing_a_type_that_is_not_a_contract_is_refused()
    {
        using var host = TestHosts.Build("mju.population-registry", rabbitMqUri: null);
        await host.StartAsync();
        var publisher = host.Services.GetRequiredService<IContractPublisher>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.PublishAsync(new { Iin = "1" }));
        await host.StopAsync();
    }
}
