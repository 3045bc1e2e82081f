using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Runtime;
using QazBus.Naming;

namespace QazBus.Telemetry;

/// <summary>
/// The queues this system consumes, read-only: what queue-depth metrics and operator tools watch. The endpoints
/// are those added with <see cref="QazBusBuilder.AddHandler{TContract, THandler}"/>.
/// </summary>
public static class BusEndpointQueues
{
    /// <summary>
    /// The endpoints registered in <paramref name="services"/>, with their queue and error queue for this system
    /// (<c>QazBus:System</c>). Empty when the bus is not registered or the system only publishes.
    /// </summary>
    /// <param name="services">The host's service provider.</param>
    public static IReadOnlyList<EndpointQueueNames> Get(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var endpoints = services.GetService<BusEndpoints>();
        if (endpoints is null)
        {
            return [];
        }

        // Computed from the names rather than EndpointDefinition.Queue, which is bound only when the bus starts.
        var system = services.GetRequiredService<IOptions<QazBusOptions>>().Value.System;
        if (!BusNames.IsValidSystemId(system))
        {
            return []; // the options validator stops the host at start and names the key
        }

        return endpoints.All
            .Select(endpoint => BusNames.Queue(system, endpoint.Name))
            .Select(queue => new EndpointQueueNames(queue, BusNames.ErrorQueue(queue)))
            .ToArray();
    }
}

/// <summary>One endpoint of this system.</summary>
/// <param name="Queue">The endpoint's queue, <c>{agency}.{system}.{endpoint}</c>.</param>
/// <param name="ErrorQueue">Where its failed messages wait for an operator, <c>{queue}_error</c>.</param>
public sealed record EndpointQueueNames(string Queue, string ErrorQueue);
