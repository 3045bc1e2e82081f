using System.Reflection;
using OpenTelemetry.Resources;
using QazBus.Configuration;
using QazBus.Naming;

namespace QazBus.Hosting.Telemetry;

/// <summary>
/// Names the service after the system id, so an operator finds each agency's system under its own name in a
/// trace viewer: <c>service.name</c> = <c>kgd.tax-office</c>, <c>service.namespace</c> = <c>kgd</c> (the agency).
/// </summary>
/// <remarks>
/// Added before the environment detectors, so <c>OTEL_SERVICE_NAME</c> and <c>OTEL_RESOURCE_ATTRIBUTES</c> still
/// win, as the OpenTelemetry specification says they should.
/// </remarks>
internal sealed class QazBusResourceDetector(QazBusOptions options) : IResourceDetector
{
    public Resource Detect()
    {
        if (!BusNames.IsValidSystemId(options.System))
        {
            return Resource.Empty; // the options validator stops the host and names QazBus:System
        }

        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return ResourceBuilder.CreateEmpty()
            .AddService(options.System, BusNames.AgencyOf(options.System), version)
            .Build();
    }
}
