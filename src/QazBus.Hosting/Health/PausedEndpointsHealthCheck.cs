using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QazBus.Runtime;

namespace QazBus.Hosting.Health;

/// <summary>
/// Degraded while the kill switch pauses an endpoint (its handler failed too often: a system it depends on is
/// probably down); names each paused queue and when it consumes again.
/// </summary>
/// <remarks>
/// Degraded, not unhealthy: the pause is the bus protecting the messages, it ends by itself, and the worker's
/// other endpoints go on. Probes keep passing (ASP.NET Core answers 200 for degraded), the status says
/// "Degraded" so monitoring can alert, and Kubernetes does not restart or unready a worker that is doing the
/// right thing.
/// </remarks>
internal sealed class PausedEndpointsHealthCheck(BusStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var paused = status.PausedEndpoints.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        if (paused.Length == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No endpoint is paused."));
        }

        var list = string.Join(", ", paused.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} until {p.Value:O}")));
        var data = paused.ToDictionary(p => p.Key, p => (object)p.Value.ToString("O", CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return Task.FromResult(HealthCheckResult.Degraded($"Kill switch paused {paused.Length} endpoint(s): {list}.", data: data));
    }
}
