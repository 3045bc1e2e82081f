using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace QazBus.Contracts.Population;

/// <summary>
/// The Ministry of Justice's population registry registered a citizen (birth, immigration or restoration).
/// </summary>
[Contract("mju.population.citizen-registered", 1)]
[ContractDeprecated("2027-06-30", Replacement = "publish mju.population.citizen-registered v2 (CitizenRegisteredV2)")]
[Description("The population registry of the Ministry of Justice registered a citizen.")]
public sealed record CitizenRegistered
{
    /// <summary>The citizen's IIN: 12 digits.</summary>
    [Description("Individual identification number (IIN), 12 digits.")]
    [RegularExpression(@"^\d{12}$")]
    [PersonalData]
    public required string Iin { get; init; }

    /// <summary>The citizen's full name as registered.</summary>
    [Description("Full name as registered.")]
    [StringLength(300, MinimumLength = 1)]
    [PersonalData]
    public required string FullName { get; init; }

    /// <summary>Date of birth.</summary>
    [Description("Date of birth.")]
    [PersonalData]
    public required DateOnly BirthDate { get; init; }

    /// <summary>When the registry recorded the registration.</summary>
    [Description("When the registry recorded the registration.")]
    public required DateTimeOffset RegisteredAt { get; init; }
}
