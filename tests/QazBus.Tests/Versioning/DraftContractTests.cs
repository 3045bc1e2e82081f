using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts;
using QazBus.Publishing;
using QazBus.TestSupport;
using QazBus.Transport.InMemory;

namespace QazBus.Tests.Versioning;

/// <summary>A draft contract version stays off buses that did not opt in with QazBus:AllowDraftContracts.</summary>
public sealed class DraftContractTests
{
    private static readonly Dictionary<string, string?> AllowDrafts = new() { ["QazBus:AllowDraftContracts"] = "true" };

    [Fact]
    public void A_draft_record_is_a_draft_descriptor()
    {
        Assert.True(ContractDescriptor.For(typeof(BenefitGranted)).IsDraft);
        Assert.False(ContractDescriptor.For(typeof(Contracts.Population.AddressChanged)).IsDraft);
    }

    [Fact]
    public void A_record_marked_both_draft_and_deprecated_is_refused()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => ContractDescriptor.For(typeof(DraftAndDeprecated)));

        Assert.Contains("both [ContractDraft] and [ContractDeprecated]", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishing_a_draft_is_refused_by_default_naming_the_contract_and_the_setting()
    {
        using var host = TestHosts.Build("mju.population-registry", rabbitMqUri: null);
        await host.StartAsync();
        var publisher = host.Services.GetRequiredService<IContractPublisher>();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.PublishAsync(Sample()));

        Assert.Contains("cannot publish contract 'mju.population.benefit-granted' v1: it is a draft", failure.Message, StringComparison.Ordinal);
        Assert.Contains("QazBus:AllowDraftContracts is false", failure.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task With_AllowDraftContracts_a_draft_is_published_and_handled()
    {
        var broker = new InMemoryBroker();
        var sink = new MessageSink<BenefitGranted>();
        using var consumer = TestHosts.Build("kgd.tax-office", null,
            bus => bus.AddHandler<BenefitGranted, RecordingHandler<BenefitGranted>>("benefits"),
            settings: AllowDrafts,
            services: s => s.AddSingleton(broker).AddSingleton(sink));
        using var publisher = TestHosts.Build("mju.population-registry", null, settings: AllowDrafts, services: s => s.AddSingleton(broker));
        await consumer.StartAsync();
        await publisher.StartAsync();

        var id = await publisher.Services.GetRequiredService<IContractPublisher>().PublishAsync(Sample());

        var (message, _) = await sink.WaitForAsync((_, c) => c.MessageId == id);
        Assert.Equal(42_000m, message.Amount);
        await publisher.StopAsync();
        await consumer.StopAsync();
    }

    [Fact]
    public async Task A_handler_for_a_draft_stops_the_host_at_start_naming_the_contract_and_the_setting()
    {
        using var host = TestHosts.Build("kgd.tax-office", null,
            bus => bus.AddHandler<BenefitGranted, RecordingHandler<BenefitGranted>>("benefits"),
            services: s => s.AddSingleton(new MessageSink<BenefitGranted>()));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("System 'kgd.tax-office' cannot handle contract 'mju.population.benefit-granted' v1: it is a draft", failure.Message, StringComparison.Ordinal);
        Assert.Contains("QazBus:AllowDraftContracts is false", failure.Message, StringComparison.Ordinal);
    }

    private static BenefitGranted Sample() => new() { Iin = "900102300123", Amount = 42_000m };
}

/// <summary>A contract under review: its schema may still change.</summary>
[Contract("mju.population.benefit-granted", 1)]
[ContractDraft]
public sealed record BenefitGranted
{
    [PersonalData]
    public required string Iin { get; init; }

    public required decimal Amount { get; init; }
}

[Contract("mju.population.draft-and-deprecated", 1)]
[ContractDraft]
[ContractDeprecated("2027-01-01")]
public sealed record DraftAndDeprecated
{
    public required string Id { get; init; }
}
