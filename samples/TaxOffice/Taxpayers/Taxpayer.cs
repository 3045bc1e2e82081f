using QazBus.Contracts.Population;

namespace TaxOffice.Taxpayers;

/// <summary>A taxpayer as the tax office records them, assembled from the population registry's events.</summary>
/// <remarks>
/// The registration and the address arrive on two queues, in either order, so each part may still be missing:
/// the name until <c>CitizenRegistered</c> arrives, <see cref="Address"/> until <c>AddressChanged</c> does.
/// </remarks>
public sealed record Taxpayer
{
    /// <summary>The individual identification number (IIN): 12 digits.</summary>
    public required string Iin { get; init; }

    /// <summary>Surname; null until the registration arrived.</summary>
    public string? LastName { get; init; }

    /// <summary>Given name; null until the registration arrived.</summary>
    public string? FirstName { get; init; }

    /// <summary>Patronymic, when the citizen has one.</summary>
    public string? Patronymic { get; init; }

    /// <summary>Date of birth; null until the registration arrived.</summary>
    public DateOnly? BirthDate { get; init; }

    /// <summary>The registered address; null until an address change arrived.</summary>
    public Address? Address { get; init; }

    /// <summary>From when <see cref="Address"/> is valid.</summary>
    public DateOnly? AddressValidFrom { get; init; }

    /// <summary>When the registry recorded the address change; orders changes valid from the same day.</summary>
    public DateTimeOffset? AddressChangedAt { get; init; }

    /// <summary>The regional department that serves the taxpayer, decided by the address; null while it is unknown.</summary>
    public string? RevenueDepartment => Address is null ? null : $"State Revenue Department of {Address.Region}";
}
