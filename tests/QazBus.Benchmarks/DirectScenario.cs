using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QazBus.Handling;
using QazBus.Publishing;

namespace QazBus.Benchmarks;

/// <summary>
/// QazBus as an agency uses it, with the defaults it ships: <c>IContractPublisher.PublishAsync</c> (confirm awaited)
/// → exchange → quorum queue → consume pipeline (headers, contract, sender, JSON, rules) → handler → ack.
/// One worker process publishes and handles.
/// </summary>
internal sealed class DirectScenario(string uri, int window, IReadOnlyDictionary<string, string?> settings) : IScenario
{
    public const string System = "qazbench.loadgen";
    public const string Endpoint = "direct";

    private IHost? _host;
    private IContractPublisher? _publisher;

    public string Name => "direct";

    public int Window => window;

    public static string Queue => $"{System}.{Endpoint}";

    public async Task StartAsync(Receiver receiver, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QazBus:System"] = System,
            ["QazBus:Transport"] = "RabbitMq",
            ["QazBus:RabbitMq:Uri"] = uri,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(receiver);
        builder.AddQazBus().AddHandler<SampleRecorded, SampleHandler>(Endpoint);
        _host = builder.Build();
        await _host.StartAsync(cancellationToken);
        _publisher = _host.Services.GetRequiredService<IContractPublisher>();
    }

    public Task PublishAsync(long sequence, CancellationToken cancellationToken) =>
        _publisher!.PublishAsync(SampleRecorded.Create(sequence, Stopwatch.GetTimestamp()), cancellationToken: cancellationToken);

    public async Task<string> BacklogAsync(BrokerProbe broker, CancellationToken cancellationToken) =>
        $"queue {await broker.DepthAsync(Queue, cancellationToken)}";

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}

/// <summary>The QazBus handler: reports the message and returns (the pipeline then acks it).</summary>
internal sealed class SampleHandler(Receiver receiver) : IContractHandler<SampleRecorded>
{
    public Task HandleAsync(SampleRecorded message, MessageContext context, CancellationToken cancellationToken)
    {
        receiver.OnReceived(message.Sequence, message.SentTimestamp);
        return Task.CompletedTask;
    }
}
