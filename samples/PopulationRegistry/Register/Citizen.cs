using QazBus.Contracts.Population;

namespace PopulationRegistry.Register;

/// <summary>A citizen as the registry records them.</summary>
/// <remarks>The sample reuses the contract's <see cref="Address"/> for brevity; a real registry maps from its own schema.</remarks>
/// <param name="Iin">Individual identification number: 12 digits.</param>
/// <param name="LastName">Surname.</param>
/// <param name="FirstName">Given name.</param>
/// <param name="Patronymic">Patronymic, when the citizen has one.</param>
/// <param name="BirthDate">Date of birth.</param>
/// <param name="Address">The registered address.</param>
internal sealed record Citizen(string Iin, string LastName, string FirstName, string? Patronymic, DateOnly BirthDate, Address Address);
