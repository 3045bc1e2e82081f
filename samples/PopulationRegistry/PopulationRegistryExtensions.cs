using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PopulationRegistry.Queries;
using PopulationRegistry.Register;
using QazBus.Contracts.Population;
using PopulationRegistry.Simulation;

namespace PopulationRegistry;

/// <summary>Registers the population registry (system <c>mju.population-registry</c>) in a host.</summary>
public static class PopulationRegistryExtensions
{
    /// <summary>The endpoint answering <see cref="CitizenByIin"/>; its queue is <c>{system}.citizen-queries</c>.</summary>
    public const string CitizenQueriesEndpoint = "citizen-queries";

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

        // The registry publishes its events through the outbox (AddStorage: the outbox the register writes to, the
        // relay that publishes from it, the message log, on the database of QazBus:Storage) and answers one query:
        // other agencies ask it for a citizen card. The approved askers come from the registry file (UseRegistry,
        // QazBus:Registry): the broker refuses the others, and the bus checks again before the handler runs.
        #region snippet_query_handler
        builder.AddQazBus()
            .AddQueryHandler<CitizenByIin, CitizenCard, CitizenByIinHandler>(CitizenQueriesEndpoint)
            .UseRegistry()
            .AddStorage();
        #endregion

        builder.Services.AddOptions<PopulationRegistryOptions>()
            .BindConfiguration(PopulationRegistryOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PopulationRegistryOptions>, PopulationRegistryOptionsValidator>();

        builder.Services.AddSingleton<PopulationRegister>();
        builder.Services.AddHostedService<RegistryOfficeSimulation>();
        return builder;
    }
}
