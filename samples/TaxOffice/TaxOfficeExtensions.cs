using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QazBus.Contracts.Population;
using QazBus.Hosting.LegacySystems;
using TaxOffice.Population;
using TaxOffice.Taxpayers;

namespace TaxOffice;

/// <summary>Registers the tax office (system <c>kgd.tax-office</c>) in a host.</summary>
public static class TaxOfficeExtensions
{
    /// <summary>The endpoint receiving <see cref="CitizenRegisteredV2"/> (and v1, upcast); its queue is <c>{system}.citizens</c>.</summary>
    public const string CitizensEndpoint = "citizens";

    /// <summary>The endpoint receiving <see cref="AddressChanged"/>; its queue is <c>{system}.address-changes</c>.</summary>
    public const string AddressChangesEndpoint = "address-changes";

    /// <summary>
    /// Adds the tax office: its <see cref="TaxpayerRegister"/> (the <c>taxpayers</c> table) and the bus (configured
    /// from the <c>QazBus</c> section) with the handlers that keep the register in step with the population registry,
    /// through the inbox, whose database (<c>QazBus:Storage</c>) also holds the register. When
    /// <c>QazBus:LegacySystems:taxpayer-cards:BaseAddress</c> is set, each new taxpayer also gets a card in the legacy
    /// taxpayer card system.
    /// </summary>
    /// <param name="builder">The host to add the tax office to.</param>
    /// <returns><paramref name="builder"/>, to chain further registrations.</returns>
    /// <example><code>
    /// var builder = Host.CreateApplicationBuilder(args);
    /// builder.AddTaxOffice();
    /// await builder.Build().RunAsync();
    /// </code></example>
    public static IHostApplicationBuilder AddTaxOffice(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // First, so the taxpayers table exists before the endpoints start consuming.
        builder.Services.AddSingleton<TaxpayerRegister>();
        builder.Services.AddSingleton<CitizenCards>(); // asks the population registry for citizen cards
        builder.Services.AddSingleton<TaxpayerApplications>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<TaxpayerRegister>());

        // The legacy taxpayer card system, only where one is configured: the sample and the demo run without it.
        // Its client retries brief failures and opens a circuit when the system is down; the bus's redelivery and
        // kill switch handle the rest.
        if (builder.Configuration[$"{LegacySystemOptions.SectionFor(TaxpayerCardClient.SystemName)}:BaseAddress"] is not null)
        {
            builder.AddLegacySystemClient<TaxpayerCardClient>(TaxpayerCardClient.SystemName);
        }

        // One endpoint (queue) per contract: a backlog of registrations never delays address changes, and an
        // operator sees each flow's depth and error queue apart. Messages of two endpoints are not ordered
        // relative to each other, which the register allows for.
        #region snippet_storage_registration
        builder.AddQazBus()
            .AddHandler<CitizenRegisteredV2, CitizenRegisteredHandler>(CitizensEndpoint)
            .AddHandler<AddressChanged, AddressChangedHandler>(AddressChangesEndpoint)
            .AddStorage(); // the inbox (one effect per message) and the message log, on the database of QazBus:Storage
        #endregion

        // The systems' public keys from the registry file (QazBus:Registry), so signing works by configuration alone.
        builder.AddQazBus().UseRegistry();
        return builder;
    }
}
