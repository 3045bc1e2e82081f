using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Observation;
using QazBus.Telemetry;
using QazBus.Transport;

namespace QazBus.Hosting.Telemetry;

/// <summary>
/// Reads queue depth (from the broker) and outbox backlog (from the database) every
/// <see cref="TelemetryOptions.SampleInterval"/> and hands them to <see cref="BusGauges"/>.
/// </summary>
/// <remarks>
/// A value that cannot be read is dropped rather than kept: a stale depth would tell an operator that a queue
/// is fine while nobody can see it. Failures are logged when they start and when they end, not at every sample.
/// </remarks>
internal sealed partial class BusSampler : BackgroundService
{
    // A read slower than this is a failed sample; a slow read only delays the next one (missed ticks are skipped).
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private readonly IServiceProvider _services;
    private readonly IBusTransport _transport;
    private readonly IOutboxBacklogProbe? _probe;
    private readonly BusGauges _gauges;
    private readonly TelemetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private bool _depthFailing;
    private bool _backlogFailing;

    public BusSampler(IServiceProvider services, BusGauges gauges, IOptions<TelemetryOptions> options, TimeProvider time, ILogger<BusSampler> logger)
    {
        _services = services;
        _transport = BusRequirement.Transport(services);
        _probe = services.GetService<IOutboxBacklogProbe>();
        _gauges = gauges;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // never hold up the host's start
        var queues = BusEndpointQueues.Get(_services);
        using var timer = new PeriodicTimer(_options.SampleInterval, _time);
        try
        {
            do
            {
                await SampleQueuesAsync(queues, stoppingToken).ConfigureAwait(false);
                await SampleOutboxAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task SampleQueuesAsync(IReadOnlyList<EndpointQueueNames> queues, CancellationToken stoppingToken)
    {
        // Not connected: no depth is known. Asking would make the transport connect from here, outside its start-up.
        if (queues.Count == 0 || !_gauges.DepthEnabled || !_transport.IsConnected)
        {
            _gauges.SetQueueDepths([]);
            return;
        }

        var depths = new List<QueueDepth>(queues.Count * 2);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(ReadTimeout);
            foreach (var endpoint in queues)
            {
                await ReadAsync(endpoint.Queue, endpoint.Queue, "endpoint", timeout.Token).ConfigureAwait(false);
                await ReadAsync(endpoint.ErrorQueue, endpoint.Queue, "error", timeout.Token).ConfigureAwait(false);
            }

            _gauges.SetQueueDepths(depths);
            if (_depthFailing)
            {
                _depthFailing = false;
                LogDepthRecovered(_logger);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Whatever the broker client throws is a failed sample, never a crashed worker.
            _gauges.SetQueueDepths([]);
            if (!_depthFailing)
            {
                _depthFailing = true;
                LogDepthFailed(_logger, ex.GetType().Name, ex.Message);
            }
        }

        async Task ReadAsync(string queue, string endpoint, string kind, CancellationToken cancellationToken)
        {
            var messages = await _transport.GetQueueDepthAsync(queue, cancellationToken).ConfigureAwait(false);
            if (messages is { } count)
            {
                depths.Add(new QueueDepth(queue, endpoint, kind, count));
            }
        }
    }

    private async Task SampleOutboxAsync(CancellationToken stoppingToken)
    {
        if (_probe is null || !_gauges.BacklogEnabled)
        {
            return;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(ReadTimeout);
            _gauges.SetOutboxBacklog(await _probe.GetBacklogAsync(timeout.Token).ConfigureAwait(false));
            if (_backlogFailing)
            {
                _backlogFailing = false;
                LogBacklogRecovered(_logger);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Whatever the database client throws is a failed sample, never a crashed worker.
            _gauges.SetOutboxBacklog(null);
            if (!_backlogFailing)
            {
                _backlogFailing = true;
                LogBacklogFailed(_logger, ex.GetType().Name, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue depth cannot be read ({ExceptionType}: {Reason}); the qazbus.queue.depth metric is absent until it can")]
    private static partial void LogDepthFailed(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue depth can be read again")]
    private static partial void LogDepthRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox backlog cannot be read ({ExceptionType}: {Reason}); the qazbus.outbox.* metrics are absent until it can")]
    private static partial void LogBacklogFailed(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox backlog can be read again")]
    private static partial void LogBacklogRecovered(ILogger logger);
}
