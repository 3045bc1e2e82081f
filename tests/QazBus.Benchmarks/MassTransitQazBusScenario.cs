using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QazBus.MassTransit;

namespace QazBus.Benchmarks;

/// <summary>
/// The cost of joining QazBus through MassTransit: a MassTransit 8.5.12 bus with <c>UseQazBus</c> publishes the contract
/// (the SDK's body, headers and checks) and consumes it on a QazBus endpoint (the SDK's consume pipeline, then the
/// MassTransit consumer); the same durability as <c>direct</c> (quorum queue, confirms, ack after the consumer).
/// </summary>
internal sealed class MassTransitQazBusScenario(string uri, int window, IReadOnlyDictionary<string, string?> settings) : IScenario
{
    public const string Endpoint = "masstransit-qazbus";

    private IHost? _host;
    private IPublishEndpoint? _publish;

    public static string Queue => $"{DirectScenario.System}.{Endpoint}";

    public string Name => "masstransit-qazbus";

    public int Window => window;

    public async Task StartAsync(Receiver receiver, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QazBus:System"] = DirectScenario.System,
            ["QazBus:Transport"] = "RabbitMq",
            ["QazBus:RabbitMq:Uri"] = uri,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(receiver);
        builder.Services.Configure<MassTransitHostOptions>(host => host.WaitUntilStarted = true);
        builder.AddQazBus();
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumer<SampleConsumer>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.UseQazBus(context);
                rabbit.QazBusEndpoint(context, Endpoint, endpoint => endpoint.ConfigureConsumer<SampleConsumer>(context));
            });
        });
        _host = builder.Build();
        await _host.StartAsync(cancellationToken);
        _publish = _host.Services.GetRequiredService<IPublishEndpoint>();
    }

    public Task PublishAsync(long sequence, CancellationToken cancellationToken) =>
        _publish!.Publish(SampleRecorded.Create(sequence, Stopwatch.GetTimestamp()), cancellationToken);

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
