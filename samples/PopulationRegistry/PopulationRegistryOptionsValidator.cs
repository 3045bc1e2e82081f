using Microsoft.Extensions.Options;

namespace PopulationRegistry;

/// <summary>Checks <see cref="PopulationRegistryOptions"/> at start-up; generated from its data annotations, no reflection.</summary>
[OptionsValidator]
internal sealed partial class PopulationRegistryOptionsValidator : IValidateOptions<PopulationRegistryOptions>;
