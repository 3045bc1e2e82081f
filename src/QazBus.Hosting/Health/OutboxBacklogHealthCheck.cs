using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using QazBus.Observation;

namespace QazBus.Hosting.Health;

/// <summary>
/// Unhealthy when the outbox holds more rows than <see cref="HealthOptions.OutboxBacklogLimit"/>, or its oldest
/// row has waited longer than <see cref="HealthOptions.OutboxAgeLimit"/>: committed changes are not reaching
/// the other agencies. Healthy when the system has no outbox (no <see cref="IOutboxBacklogProbe"/> registered).
/// </summary>
/// <remarks>
/// Unhealthy rather than degraded: the rows are safe, but other agencies act on stale data, which is the failing
/// link operators must see before citizens do. A worker has no traffic to lose by being unready; a rollout of a
/// version whose relay is broken stops instead of replacing every healthy pod.
/// </remarks>
internal sealed class OutboxBacklogHealthCheck(IServiceProvider services, IOptionsMonitor<HealthOptions> options) : IHealthCheck
{
    private readonly IOutboxBacklogProbe? _probe = services.GetService<IOutboxBacklogProbe>();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_probe is null)
        {
            return HealthCheckResult.Healthy("This system has no outbox.");
        }

        var limits = options.CurrentValue;
        OutboxBacklog backlog;
        try
        {
            backlog = await _probe.GetBacklogAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The exception goes to the report (and the log), not to the HTTP answer: it may name hosts or users.
            return HealthCheckResult.Unhealthy($"The outbox backlog cannot be read ({ex.GetType().Name}).", ex);
        }

        var age = backlog.OldestAge ?? TimeSpan.Zero;
        var data = new Dictionary<string, object>
        {
            ["count"] = backlog.Count,
            ["oldestAgeSeconds"] = Math.Round(age.TotalSeconds, 1),
        };
        var summary = string.Create(CultureInfo.InvariantCulture, $"{backlog.Count} outbox row(s) wait; the oldest for {Format(age)}");
        if (backlog.Count > limits.OutboxBacklogLimit || age > limits.OutboxAgeLimit)
        {
            return HealthCheckResult.Unhealthy(
                string.Create(CultureInfo.InvariantCulture, $"{summary}: over {HealthOptions.SectionName}:OutboxBacklogLimit ({limits.OutboxBacklogLimit}) or {HealthOptions.SectionName}:OutboxAgeLimit ({Format(limits.OutboxAgeLimit)})."),
                data: data);
        }

        return HealthCheckResult.Healthy(summary + ".", data);
    }

    private static string Format(TimeSpan span) => span.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture);
}
