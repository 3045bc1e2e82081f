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
    IServiceScopeFactory scopes,
    IOptions<QazBusOptions> options,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("QazBus");
    private readonly List<IAsyncDisposable> _consumers = [];
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
            var pipeline = new ConsumePipeline(endpoint, transport, scopes, options, time, loggerFactory.CreateLogger<ConsumePipeline>());
            _consumers.Add(await transport.ConsumeAsync(
                endpoint.Queue,
                consumerSettings,
                (message, _) => pipeline.HandleAsync(message, _stopping.Token),
                cancellationToken).ConfigureAwait(false));
            LogConsuming(_logger, settings.System, endpoint.Queue, endpoint.Exchanges);
        }
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
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "{System} consumes {Queue} (bound to {Exchanges})")]
    private static partial void LogConsuming(ILogger logger, string system, string queue, IReadOnlyCollection<string> exchanges);
}
