using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Queries;
using QazBus.Runtime;
using QazBus.Schemas.Hosting;
using QazBus.Schemas.Keys;
using QazBus.Schemas.Queries;
using QazBus.Signing;

// Registration extensions live in the namespace of what they extend, so they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Takes a system's rights and trust from the registry: <c>builder.AddQazBus().UseRegistry()</c>.</summary>
public static class RegistryBuilderExtensions
{
    /// <summary>
    /// Reads the registry file named by <c>QazBus:Registry</c> and takes from it the approved requesters of the queries
    /// this system answers (<see cref="IQueryAccessPolicy"/>: <see cref="RegistryQueryAccessPolicy"/>) and, unless an
    /// <see cref="ITrustedKeyStore"/> is registered already, the systems' public keys that signatures are verified
    /// against (<see cref="RegistryTrustedKeyStore"/>), so signing works by configuration alone. The file is checked
    /// with the other settings at start: a missing key, an unreadable file or one that is no valid registry stops the
    /// host with a message naming <c>QazBus:Registry</c> and the line. The file is looked at again every few seconds: a
    /// changed registry (a new requester, a rotated key) takes effect without a restart, and a changed file that is not
    /// a valid registry is logged while the last good one stays in force.
    /// </summary>
    /// <param name="bus">The bus from <c>AddQazBus()</c>.</param>
    /// <example>
    /// <code>
    /// builder.AddQazBus()
    ///        .AddQueryHandler&lt;CitizenByIin, CitizenCard, CitizenByIinHandler&gt;("citizen-queries")
    ///        .UseRegistry(); // "QazBus:Registry": "/etc/qazbus/registry.json"
    /// </code>
    /// </example>
    public static QazBusBuilder UseRegistry(this QazBusBuilder bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var services = bus.Services;

        // Calling UseRegistry twice registers it once.
        if (services.Any(d => d.ServiceType == typeof(RegistryFile)))
        {
            return bus;
        }

        services.AddSingleton<RegistryFile>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QazBusOptions>, RegistryOptionsValidator>());
        // One current view of the file for both: a changed file is read again (RegistryRights).
        services.AddSingleton<RegistryRights>();
        services.TryAddSingleton<IQueryAccessPolicy>(provider => provider.GetRequiredService<RegistryRights>());
        services.TryAddSingleton<ITrustedKeyStore>(provider => provider.GetRequiredService<RegistryRights>());
        return bus;
    }
}
