using Microsoft.Extensions.Diagnostics.HealthChecks;
using QazBus.Transport;

namespace QazBus.Hosting.Health;

/// <summary>
/// Ready only while the connection to the broker is open. Unhealthy when it is down: nothing is consumed and a
/// direct publish fails (the outbox keeps its rows). Not part of liveness: restarting the worker does not bring
/// a broker back, and the transport reconnects by itself.
/// </summary>
internal sealed class BrokerConnectionHealthCheck(IServiceProvider services) : IHealthCheck
{
    private readonly IBusTransport _transport = BusRequirement.Transport(services);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_transport.IsConnected
            ? HealthCheckResult.Healthy("Connected to the broker.")
            : HealthCheckResult.Unhealthy("Not connected to the broker: nothing is consumed; the transport reconnects by itself."));
}
