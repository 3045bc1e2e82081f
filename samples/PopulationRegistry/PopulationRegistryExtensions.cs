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
    /// a system of agency <c>mju</c>, the owner of the population contracts) with its storage (the outbox and its
    /// relay, the message log: <c>QazBus:Storage</c>), the register whose <c>citizens</c> table lives in that same
    /// database and which enqueues <c>CitizenRegistered</c> and <c>AddressChanged</c> in the transaction of each
    /// change, and a simulated registry office driving it (configured from the <c>PopulationRegistry</c> section).
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

        // First, so the citizens table exists before anything else starts.
        builder.Services.AddSingleton<RegistryDatabase>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<RegistryDatabase>());

        // The registry only publishes, so it adds no handlers: publishing needs no queue of its own. AddStorage adds
        // the outbox the register writes to and the relay that publishes from it, on the database of QazBus:Storage.
        builder.AddQazBus().AddStorage();

        builder.Services.AddOptions<PopulationRegistryOptions>()
            .BindConfiguration(PopulationRegistryOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PopulationRegistryOptions>, PopulationRegistryOptionsValidator>();

        builder.Services.AddSingleton<PopulationRegister>();
        builder.Services.AddHostedService<RegistryOfficeSimulation>();
        return builder;
    }
}
