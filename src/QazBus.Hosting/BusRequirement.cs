using Microsoft.Extensions.DependencyInjection;
using QazBus.Transport;

namespace QazBus.Hosting;

/// <summary>The service defaults watch the bus; without it they stop the host with what to do.</summary>
internal static class BusRequirement
{
    public static IBusTransport Transport(IServiceProvider services) =>
        services.GetService<IBusTransport>()
        ?? throw new InvalidOperationException(
            "AddQazBusServiceDefaults() watches the bus, but the bus is not registered: call builder.AddQazBus() as well.");
}
