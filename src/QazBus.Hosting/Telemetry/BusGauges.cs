using System.Diagnostics.Metrics;
using QazBus.Observation;
using QazBus.Telemetry;

namespace QazBus.Hosting.Telemetry;

/// <summary>
/// The observable instruments of a worker: queue depth per endpoint and error queue, outbox backlog and the age of
/// its oldest row. Their callbacks only read the latest sample taken by <see cref="BusSampler"/>: an exporter's
/// collection never waits on the broker or the database.
/// </summary>
/// <remarks>
/// Queue depth and backlog are up-down counters, not gauges, per the OpenTelemetry metrics guidance: they are
/// additive (the depths of all queues sum to the messages waiting in the system). The age is not, so it is a gauge.
/// </remarks>
internal sealed class BusGauges
{
    private volatile IReadOnlyList<QueueDepth> _depths = [];
    private volatile OutboxBacklog? _backlog;

    public BusGauges(IMeterFactory meterFactory)
    {
        // The same meter name as the core's counters, so one AddMeter("QazBus") collects them all.
        var meter = meterFactory.Create(QazBusDiagnostics.SourceName);
        Depth = meter.CreateObservableUpDownCounter(
            "qazbus.queue.depth", ObserveDepths, "{message}",
            "Messages waiting in a queue of this system: each endpoint queue and its error queue.");
        Backlog = meter.CreateObservableUpDownCounter(
            "qazbus.outbox.backlog", ObserveBacklog, "{message}",
            "Outbox rows not yet published.");
        OldestAge = meter.CreateObservableGauge(
            "qazbus.outbox.oldest_age", ObserveOldestAge, "s",
            "How long the oldest unpublished outbox row has waited; 0 when none waits.");
    }

    public ObservableUpDownCounter<long> Depth { get; }

    public ObservableUpDownCounter<long> Backlog { get; }

    public ObservableGauge<double> OldestAge { get; }

    /// <summary>True when a metrics listener (an OpenTelemetry MeterProvider) collects the queue depth.</summary>
    public bool DepthEnabled => Depth.Enabled;

    /// <summary>True when a metrics listener collects the outbox backlog or its age.</summary>
    public bool BacklogEnabled => Backlog.Enabled || OldestAge.Enabled;

    public void SetQueueDepths(IReadOnlyList<QueueDepth> depths) => _depths = depths;

    public void SetOutboxBacklog(OutboxBacklog? backlog) => _backlog = backlog;

    private IEnumerable<Measurement<long>> ObserveDepths() =>
        _depths.Select(depth => new Measurement<long>(
            depth.Messages,
            new KeyValuePair<string, object?>("messaging.destination.name", depth.Queue),
            new KeyValuePair<string, object?>("qazbus.endpoint", depth.Endpoint),
            new KeyValuePair<string, object?>("qazbus.queue.kind", depth.Kind)));

    private IEnumerable<Measurement<long>> ObserveBacklog() =>
        _backlog is { } backlog ? [new Measurement<long>(backlog.Count)] : [];

    private IEnumerable<Measurement<double>> ObserveOldestAge() =>
        _backlog is { } backlog ? [new Measurement<double>(backlog.OldestAge?.TotalSeconds ?? 0)] : [];
}

/// <summary>One queue's depth at the last sample.</summary>
/// <param name="Queue">The queue measured.</param>
/// <param name="Endpoint">The endpoint queue it belongs to (itself, or the queue whose error queue it is).</param>
/// <param name="Kind"><c>endpoint</c> or <c>error</c>.</param>
/// <param name="Messages">Messages ready in the queue.</param>
internal readonly record struct QueueDepth(string Queue, string Endpoint, string Kind, long Messages);
