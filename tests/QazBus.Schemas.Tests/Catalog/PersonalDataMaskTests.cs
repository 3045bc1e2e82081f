using System.Text.Json.Nodes;
using QazBus.Contracts;
using QazBus.Contracts.Population;
using QazBus.Schemas.Catalog;

namespace QazBus.Schemas.Tests.Catalog;

/// <summary>The mask hides exactly the fields the catalog flags as personal data, at any depth.</summary>
public sealed class PersonalDataMaskTests
{
    [Fact]
    public void AddressChanged_masks_iin_and_the_whole_new_address()
    {
        var mask = PersonalDataMask.For(ContractDescriptor.For(typeof(AddressChanged)));
        var body = JsonNode.Parse("""{"iin":"900102300123","newAddress":{"region":"Astana","locality":"Astana","street":"Mangilik El 8"},"validFrom":"2026-12-01"}""");

        var masked = mask.Apply(body);

        Assert.Equal(["iin", "newAddress"], mask.Fields);
        Assert.Equal("""{"iin":"***","newAddress":"***","validFrom":"2026-12-01"}""", masked!.ToJsonString());
        Assert.Contains("900102300123", body!.ToJsonString(), StringComparison.Ordinal); // the input is not changed
    }

    [Fact]
    public void Marked_fields_inside_arrays_and_dictionaries_are_masked_and_unmarked_ones_shown()
    {
        var mask = PersonalDataMask.For(ContractDescriptor.For(typeof(HouseholdRegistered)));
        var body = JsonNode.Parse("""
            {"household":"H-1","members":[{"iin":"900102300123","role":"head"},{"iin":"150304500456","role":"child"}],
             "byRoom":{"a":{"iin":"900102300123","role":"head"}},"phones":["+77010000000"],"note":null,"extra":"kept"}
            """);

        var masked = mask.Apply(body)!.ToJsonString();

        Assert.Equal(
            """{"household":"H-1","members":[{"iin":"***","role":"head"},{"iin":"***","role":"child"}],"byRoom":{"a":{"iin":"***","role":"head"}},"phones":"***","note":null,"extra":"kept"}""",
            masked);
    }
}

/// <summary>A contract with personal data in arrays, dictionaries and a nullable field, for the mask's tests.</summary>
[Contract("test.mask.household-registered", 1)]
public sealed record HouseholdRegistered
{
    public required string Household { get; init; }

    public required IReadOnlyList<Member> Members { get; init; }

    public required IReadOnlyDictionary<string, Member> ByRoom { get; init; }

    [PersonalData]
    public required IReadOnlyList<string> Phones { get; init; }

    [PersonalData]
    public string? Note { get; init; }
}

/// <summary>One member of a household.</summary>
public sealed record Member
{
    [PersonalData]
    public required string Iin { get; init; }

    public required string Role { get; init; }
}
