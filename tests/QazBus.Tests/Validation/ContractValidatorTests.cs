using QazBus.Contracts.Population;
using QazBus.Validation;

namespace QazBus.Tests.Validation;

public sealed class ContractValidatorTests
{
    [Fact]
    public void A_valid_contract_has_no_violations()
    {
        var message = new AddressChanged
        {
            Iin = "900102300123",
            NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Turan 1", PostalCode = "010000" },
            ValidFrom = new DateOnly(2026, 12, 1),
        };
        Assert.Empty(ContractValidator.Validate(message));
    }

    [Fact]
    public void Violations_name_nested_fields_by_their_json_path_and_never_their_values()
    {
        var message = new AddressChanged
        {
            Iin = "9001023",
            NewAddress = new Address { Region = "", Locality = "Astana", Street = new string('x', 201), PostalCode = "01-000" },
            ValidFrom = new DateOnly(2026, 12, 1),
        };
        var violations = ContractValidator.Validate(message);
        Assert.Equal(["iin", "newAddress.region", "newAddress.street", "newAddress.postalCode"], violations.Select(v => v.Field));
        Assert.All(violations, v => Assert.DoesNotContain("9001023", v.Rule, StringComparison.Ordinal));
    }
}
