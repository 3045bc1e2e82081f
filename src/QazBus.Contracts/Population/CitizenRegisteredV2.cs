using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace QazBus.Contracts.Population;

/// <summary>
/// v2 of <c>mju.population.citizen-registered</c>: the name is split into its parts, as the registry stores it,
/// so receivers no longer guess where the surname ends.
/// </summary>
[Contract("mju.population.citizen-registered", 2)]
[Description("The population registry of the Ministry of Justice registered a citizen. v2: the name in parts.")]
public sealed record CitizenRegisteredV2
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

    /// <summary>When the registry recorded the registration.</summary>
    [Description("When the registry recorded the registration.")]
    public required DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>
/// v1 → v2: splits the registered full name "Surname Given-name [Patronymic]" into its parts, the order the
/// registry has always written it in.
/// </summary>
public sealed class CitizenRegisteredV1ToV2 : IUpcaster<CitizenRegistered, CitizenRegisteredV2>
{
    /// <inheritdoc />
    public CitizenRegisteredV2 Upcast(CitizenRegistered message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var parts = message.FullName.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new CitizenRegisteredV2
        {
            Iin = message.Iin,
            LastName = parts[0],
            FirstName = parts.Length > 1 ? parts[1] : parts[0],
            Patronymic = parts.Length > 2 ? parts[2] : null,
            BirthDate = message.BirthDate,
            RegisteredAt = message.RegisteredAt,
        };
    }
}
