using QazBus.Contracts;
using QazBus.Contracts.Population;
using QazBus.Schemas.Tests.Compatibility;

namespace QazBus.Schemas.Tests.Generation;

public sealed class ContractDiscoveryTests
{
    [Fact]
    public void Finds_every_contract_record_of_the_contracts_assembly_in_name_and_version_order()
    {
        var contracts = ContractDiscovery.FindContracts(typeof(CitizenRegistered).Assembly);

        Assert.Contains(contracts, c => c.ClrType == typeof(CitizenRegistered));
        Assert.Contains(contracts, c => c.ClrType == typeof(AddressChanged));
        Assert.DoesNotContain(contracts, c => c.ClrType == typeof(Address));
        Assert.Equal(contracts.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.MajorVersion), contracts);
    }

    [Fact]
    public void Refuses_two_records_declaring_the_same_contract_version()
    {
        var exception = Assert.Throws<InvalidOperationException>(
            () => ContractDiscovery.FindContracts([typeof(FieldRemoved.Before), typeof(FieldRemoved.After)]));

        Assert.Contains("'test.change.field-removed' v1 is declared twice", exception.Message, StringComparison.Ordinal);
    }
}
