using System.ComponentModel.DataAnnotations;

namespace PopulationRegistry;

/// <summary>
/// The <c>PopulationRegistry</c> configuration section: how the simulated registry office works. Validated at
/// start-up, so a bad value stops the worker with the key's name instead of misbehaving later.
/// </summary>
internal sealed class PopulationRegistryOptions : IValidatableObject
{
    public const string SectionName = "PopulationRegistry";

    /// <summary>The pause between two registry events. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = SectionName + ":Interval must be between {1} and {2}.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many citizens the office registers. Default 10.</summary>
    [Range(0, 10_000, ErrorMessage = SectionName + ":Citizens must be between {1} and {2}.")]
    public int Citizens { get; set; } = 10;

    /// <summary>How many address changes follow the registrations, round-robin over the registered citizens. Default 5.</summary>
    [Range(0, 10_000, ErrorMessage = SectionName + ":AddressChanges must be between {1} and {2}.")]
    public int AddressChanges { get; set; } = 5;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Only a registered citizen can move: changes without citizens would silently do nothing.
        if (AddressChanges > 0 && Citizens == 0)
        {
            yield return new ValidationResult(
                $"{SectionName}:AddressChanges is {AddressChanges} but {SectionName}:Citizens is 0; register at least one citizen to change addresses.",
                [nameof(AddressChanges)]);
        }
    }
}
