using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;

namespace QazBus.Tests.Versioning;

public sealed class DeprecationTests
{
    private static CitizenRegistered V1() => new()
    {
        Iin = "900102300123",
        FullName = "Seitkali Aigerim",
        BirthDate = new DateOnly(1990, 1, 2),
        RegisteredAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task Publishing_a_deprecated_version_before_its_sunset_works_and_is_counted()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 6, 30, 23, 0, 0, TimeSpan.Zero));
        using var host = TestHosts.Build("mju.population-registry", null, services: s => s.AddSingleton<TimeProvider>(clock));
        await host.StartAsync();
        var uses = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "qazbus.contract.deprecated_use")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref uses, value));
        listener.Start();

        var publisher = host.Services.GetRequiredService<IContractPublisher>();
        await publisher.PublishAsync(V1());
        await publisher.PublishAsync(V1());
        Assert.True(Interlocked.Read(ref uses) >= 2);
        await host.StopAsync();
    }

    [Fact]
    public async Task Publishing_a_deprecated_version_after_its_sunset_fails_naming_the_replacement()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 7, 1, 0, 0, 1, TimeSpan.Zero));
        using var host = TestHosts.Build("mju.population-registry", null, services: s => s.AddSingleton<TimeProvider>(clock));
        await host.StartAsync();
        var publisher = host.Services.GetRequiredService<IContractPublisher>();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.PublishAsync(V1()));
        Assert.Contains("passed its sunset date 2027-06-30", failure.Message, StringComparison.Ordinal);
        Assert.Contains("v2", failure.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public void The_v1_to_v2_upcaster_splits_the_registered_name()
    {
        var v2 = new CitizenRegisteredV1ToV2().Upcast(V1() with { FullName = "Nurlanov Daniyar Serikovich" });
        Assert.Equal(("Nurlanov", "Daniyar", "Serikovich"), (v2.LastName, v2.FirstName, v2.Patronymic));
        var noPatronymic = new CitizenRegisteredV1ToV2().Upcast(V1() with { FullName = "Akhmetova  Aruzhan" });
        Assert.Equal(("Akhmetova", "Aruzhan", null), (noPatronymic.LastName, noPatronymic.FirstName, noPatronymic.Patronymic));
    }
}
