using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PopulationRegistry.Register;
using PopulationRegistry.Simulation;

namespace PopulationRegistry;

/// <summary>Registers the population registry (system <c>mju.population-registry</c>) in a host.</summary>
public static class PopulationRegistryExtensions
{
    /// <summary>
    /// Adds the population registry: the bus (configured from the <c>QazBus</c> section, whose <c>System</c> must be
    /// a system of agency <c>mju</c>, the owner of the population contracts), the register that publishes
    /// <c>CitizenRegistered</c> and <c>AddressChanged</c>, and a simulated registry office driving it (configured
    /// from the <c>PopulationRegistry</c> section).
    /// </summary>
    /// <param name="builder">The host to add the registry to.</param>
    /// <returns><paramref name="builder"/>, to chain further registrations.</returns>
    /// <example><code>
    /// var builder = Host.CreateApplicationBuilder(args);
    /// builder.AddPopulationRegistry();
    /// await builder.Build().RunAsync();
    /// </code></example>
    public static IHostApplicationBuilder AddPopulationRegistry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // The registry only publishes, so it adds no handlers: publishing needs no queue of its own.
        builder.AddQazBus();

        builder.Services.AddOptions<PopulationRegistryOptions>()
            .BindConfiguration(PopulationRegistryOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PopulationRegistryOptions>, PopulationRegistryOptionsValidator>();

        builder.Services.AddSingleton<PopulationRegister>();
        builder.Services.AddHostedService<RegistryOfficeSimulation>();
        return builder;
    }
}
