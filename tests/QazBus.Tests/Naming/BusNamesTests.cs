using QazBus.Contracts;
using QazBus.Contracts.Population;
using QazBus.Naming;

namespace QazBus.Tests.Naming;

public sealed class BusNamesTests
{
    [Fact]
    public void A_contract_exchange_is_its_name_and_major_version_never_the_dotnet_type()
    {
        var contract = ContractDescriptor.For(typeof(CitizenRegistered));
        Assert.Equal("mju.population.citizen-registered.v1", contract.Exchange);
        Assert.Equal("mju", contract.Owner);
        Assert.Equal("urn:qazbus:contract:mju.population.citizen-registered:v1", contract.DataSchema);
        Assert.DoesNotContain(nameof(CitizenRegistered), contract.Exchange, StringComparison.Ordinal);
    }

    [Fact]
    public void Queues_start_with_the_agency_and_system_so_permissions_can_be_a_prefix()
    {
        Assert.Equal("kgd.tax-office.address-changes", BusNames.Queue("kgd.tax-office", "address-changes"));
        Assert.Equal("kgd.tax-office.address-changes_error", BusNames.ErrorQueue("kgd.tax-office.address-changes"));
    }

    [Theory]
    [InlineData("kgd.Tax-Office", "address-changes")]
    [InlineData("kgd", "address-changes")]
    [InlineData("kgd.tax-office", "Address.Changes")]
    [InlineData("kgd.tax-office", "")]
    public void Invalid_names_are_refused_with_the_rule(string system, string endpoint)
    {
        var failure = Assert.Throws<ArgumentException>(() => BusNames.Queue(system, endpoint));
        Assert.Contains("lowercase", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_without_the_contract_attribute_is_refused_with_how_to_fix_it()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => ContractDescriptor.For(typeof(string)));
        Assert.Contains("[Contract(", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contract_with_an_invalid_name_or_version_is_refused()
    {
        Assert.Contains("is invalid", Assert.Throws<InvalidOperationException>(() => ContractDescriptor.For(typeof(BadName))).Message, StringComparison.Ordinal);
        Assert.Contains("versions start at 1", Assert.Throws<InvalidOperationException>(() => ContractDescriptor.For(typeof(BadVersion))).Message, StringComparison.Ordinal);
    }

    [Contract("MJU.Population", 1)]
    private sealed record BadName;

    [Contract("mju.population.bad-version", 0)]
    private sealed record BadVersion;
}
