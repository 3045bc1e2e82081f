using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Pipeline;
using QazBus.Transport;

namespace QazBus.Hosting;

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
        await transport.ConnectAsync(cancellationToken).ConfigureAwait(false);

        var consumerSettings = new ConsumerSettings((ushort)settings.PrefetchCount, (ushort)settings.ConcurrencyLimit);
        foreach (var endpoint in endpoints.All)
        {
            endpoint.Bind(settings.System);
            await transport.DeclareEndpointAsync(endpoint.Queue, endpoint.Exchanges, cancellationToken).ConfigureAwait(false);
            IBusConsumer? consumer = null;
            var pipeline = new ConsumePipeline(endpoint, services, () => PauseAsync(endpoint.Queue, consumer!));
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

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop taking new messages, let those in flight finish; if the host's stop timeout runs out, cancel them
        // so the transport returns them to the queue.
        using var registration = cancellationToken.Register(() => _stopping.Cancel());
        foreach (var consumer in _consumers)
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
        }

        _consumers.Clear();
        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "{System} consumes {Queue} (bound to {Exchanges})")]
    private static partial void LogConsuming(ILogger logger, string system, string queue, IReadOnlyCollection<string> exchanges);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kill switch: {Queue} fails too often; consuming paused for {Pause}")]
    private static partial void LogPaused(ILogger logger, string queue, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kill switch: {Queue} consumes again")]
    private static partial void LogResumed(ILogger logger, string queue);
}
