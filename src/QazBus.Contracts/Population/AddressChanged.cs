using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace QazBus.Contracts.Population;

/// <summary>
/// A citizen's registered address changed in the Ministry of Justice's population registry.
/// </summary>
[Contract("mju.population.address-changed", 1)]
[Description("A citizen's registered address changed in the population registry of the Ministry of Justice.")]
public sealed record AddressChanged
{
    /// <summary>The citizen's IIN: 12 digits.</summary>
    [Description("Individual identification number (IIN), 12 digits.")]
    [RegularExpression(@"^\d{12}$")]
    [PersonalData]
    public required string Iin { get; init; }

    /// <summary>The new address.</summary>
    [Description("The new registered address.")]
    [PersonalData]
    public required Address NewAddress { get; init; }

    /// <summary>From when the new address is valid.</summary>
    [Description("From when the new address is valid.")]
    public required DateOnly ValidFrom { get; init; }
}

/// <summary>A registered address in Kazakhstan.</summary>
[Description("A registered address in Kazakhstan.")]
public sealed record Address
{
    /// <summary>Region (oblys) or city of republican significance.</summary>
    [Description("Region (oblys) or city of republican significance.")]
    [StringLength(100, MinimumLength = 1)]
    [PersonalData]
    public required string Region { get; init; }

    /// <summary>City, town or village.</summary>
    [Description("City, town or village.")]
    [StringLength(100, MinimumLength = 1)]
    [PersonalData]
    public required string Locality { get; init; }

    /// <summary>Street, building and flat.</summary>
    [Description("Street, building and flat.")]
    [StringLength(200, MinimumLength = 1)]
    [PersonalData]
    public required string Street { get; init; }

    /// <summary>Postal code: 6 digits, when known.</summary>
    [Description("Postal code, 6 digits.")]
    [RegularExpression(@"^\d{6}$")]
    [PersonalData]
    public string? PostalCode { get; init; }
}
