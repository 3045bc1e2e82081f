using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using QazBus.Queries;

namespace QazBus.Contracts.Population;

/// <summary>
/// A query of the Ministry of Justice's population registry: the citizen card of one IIN. Answered with
/// <see cref="CitizenCard"/>, or <c>no-data</c> when the registry has no citizen with that IIN.
/// </summary>
[Contract("mju.population.citizen-by-iin", 1)]
[Description("Asks the population registry of the Ministry of Justice for the citizen card of one IIN.")]
public sealed record CitizenByIin : IQuery<CitizenCard>
{
    /// <summary>The IIN asked about: 12 digits.</summary>
    [Description("Individual identification number (IIN), 12 digits.")]
    [RegularExpression(@"^\d{12}$")]
    [PersonalData]
    public required string Iin { get; init; }
}

/// <summary>The population registry's answer to <see cref="CitizenByIin"/>: who the citizen is and where registered.</summary>
[Contract("mju.population.citizen-card", 1)]
[Description("A citizen as the population registry of the Ministry of Justice records them.")]
public sealed record CitizenCard
{
    /// <summary>The citizen's IIN: 12 digits.</summary>
    [Description("Individual identification number (IIN), 12 digits.")]
    [RegularExpression(@"^\d{12}$")]
    [PersonalData]
    public required string Iin { get; init; }

    /// <summary>Surname.</summary>
    [Description("Surname.")]
    [StringLength(100, MinimumLength = 1)]
    [PersonalData]
    public required string LastName { get; init; }

    /// <summary>Given name.</summary>
    [Description("Given name.")]
    [StringLength(100, MinimumLength = 1)]
    [PersonalData]
    public required string FirstName { get; init; }

    /// <summary>Patronymic, when the citizen has one.</summary>
    [Description("Patronymic, when the citizen has one.")]
    [StringLength(100)]
    [PersonalData]
    public string? Patronymic { get; init; }

    /// <summary>Date of birth.</summary>
    [Description("Date of birth.")]
    [PersonalData]
    public required DateOnly BirthDate { get; init; }

    /// <summary>The registered address, when the citizen has one.</summary>
    [Description("The registered address, when the citizen has one.")]
    [PersonalData]
    public Address? Address { get; init; }

    /// <summary>When the registry last changed this record.</summary>
    [Description("When the registry last changed this record.")]
    public required DateTimeOffset UpdatedAt { get; init; }
}
