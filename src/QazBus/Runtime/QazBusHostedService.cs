using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Pipeline;
using QazBus.Transport;

namespace QazBus.Runtime;

/// <summary>Connects the transport, declares this system's endpoints and consumes them; drains in-flight messages on stop.</summary>
internal sealed partial class QazBusHostedService(
    IBusTransport transport,
    BusEndpoints endpoints,
    BusStatus status,
    IServiceProvider services,
    IOptions<QazBusOptions> options,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("QazBus");
    private readonly List<IBusConsumer> _consumers = [];
    private readonly CancellationTokenSource _stopping = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;

        // A provider checks each requester's right itself (after the broker): without the registry's rights it
        // would have to answer every request, or none.
        if (endpoints.All.Any(endpoint => endpoint.AnswersQueries) && services.GetService(typeof(Queries.IQueryAccessPolicy)) is null)
        {
            throw new InvalidOperationException(
                $"System '{settings.System}' answers queries, but no query access policy is registered: call UseRegistry() on AddQazBus() and set {QazBusOptions.SectionName}:Registry to the registry file, whose approved requesters it checks.");
        }

        // Checked before connecting, so a production host with a draft handler stops before it binds a queue to the draft.
        if (!settings.AllowDraftContracts
            && endpoints.All.SelectMany(endpoint => endpoint.Routes).SelectMany(route => new[] { route.HandlerContract, route.WireContract }).FirstOrDefault(contract => contract.IsDraft) is { } draft)
        {
            throw new InvalidOperationException(Contracts.DraftContracts.Refusal($"System '{settings.System}' cannot handle", draft));
        }

        await transport.ConnectAsync(cancellationToken).ConfigureAwait(false);

        // Disposing a consumer waits for its handlers a little past ShutdownTimeout: at ShutdownTimeout they are
        // cancelled (StopAsync), and the grace lets their inbox transactions roll back before the channel closes.
        var consumerSettings = new ConsumerSettings((ushort)settings.PrefetchCount, (ushort)settings.ConcurrencyLimit, settings.ShutdownTimeout + CancelGrace);
        foreach (var endpoint in endpoints.All)
        {
            endpoint.Bind(settings.System);
            await transport.DeclareEndpointAsync(endpoint.Queue, endpoint.Exchanges, cancellationToken).ConfigureAwait(false);
            IBusConsumer? consumer = null;
            var pipeline = ConsumeSteps.Build(endpoint, services, () => PauseAsync(endpoint.Queue, consumer!));
            consumer = await transport.ConsumeAsync(
                endpoint.Queue,
                consumerSettings,
                (message, _) => pipeline.HandleAsync(message, _stopping.Token),
                cancellationToken).ConfigureAwait(false);
            _consumers.Add(consumer);
            LogConsuming(_logger, settings.System, endpoint.Queue, endpoint.Exchanges);
        }
    }

    // The kill switch tripped: stop taking messages for a pause, then try again. The handler's dependency is
    // probably down; waiting costs nothing, while consuming would spend every message's retries.
    private async Task PauseAsync(string queue, IBusConsumer consumer)
    {
        var pause = options.Value.KillSwitch.Pause;
        status.Paused(queue, time.GetUtcNow() + pause);
        LogPaused(_logger, queue, pause);
        await consumer.PauseAsync().ConfigureAwait(false);
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(pause, time, _stopping.Token).ConfigureAwait(false);
                // Health first: once messages flow again, nothing may still report the endpoint as paused.
                status.Resumed(queue);
                await consumer.ResumeAsync().ConfigureAwait(false);
                LogResumed(_logger, queue);
            }
            catch (OperationCanceledException)
            {
                // stopping
            }
        });
    }

    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(5);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop taking new messages and let those in flight finish, for at most ShutdownTimeout (or until the host's
        // own stop timeout runs out); then cancel their handlers, so the inbox rolls back and the transport returns
        // the messages to the queue unacknowledged. All endpoints drain at once: the timeout is for the whole stop.
        using var registration = cancellationToken.Register(() => _stopping.Cancel());
        var timeout = options.Value.ShutdownTimeout;
        _stopping.CancelAfter(timeout);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(_consumers.Select(consumer => consumer.DisposeAsync().AsTask())).ConfigureAwait(false);
        if (_stopping.IsCancellationRequested)
        {
            LogDrainTimedOut(_logger, timeout, stopwatch.Elapsed);
        }

        _consumers.Clear();
        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping: handlers still running after QazBus:ShutdownTimeout ({Timeout}) were cancelled; their messages went back to the queue (stopped in {Elapsed})")]
    private static partial void LogDrainTimedOut(ILogger logger, TimeSpan timeout, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Information, Message = "{System} consumes {Queue} (bound to {Exchanges})")]
    private static partial void LogConsuming(ILogger logger, string system, string queue, IReadOnlyCollection<string> exchanges);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kill switch: {Queue} fails too often; consuming paused for {Pause}")]
    private static partial void LogPaused(ILogger logger, string queue, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kill switch: {Queue} consumes again")]
    private static partial void LogResumed(ILogger logger, string queue);
}
