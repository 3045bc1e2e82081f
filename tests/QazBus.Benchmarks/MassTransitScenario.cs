using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace QazBus.Benchmarks;

/// <summary>
/// MassTransit 8.5.12 on RabbitMQ with the same durability (persistent, publisher confirms awaited, ack after the
/// consumer, quorum queue), tuned as far as it goes without weakening a guarantee: raw JSON body
/// (<see cref="RawSerializerOptions.AnyMessageType"/>, no envelope, no per-message MT-* headers), send to
/// <c>exchange:NAME</c> (<c>queue:NAME</c> would re-declare the queue as classic), consume topology off, the same
/// prefetch and concurrency as QazBus's defaults.
/// </summary>
internal sealed class MassTransitScenario(string uri, int prefetch, int concurrency, int window) : IScenario
{
    public const string Exchange = "qazbench.masstransit";
    public const string Queue = "qazbench.bench.masstransit";

    private IHost? _host;
    private ISendEndpoint? _send;

    public string Name => "masstransit";

    public int Window => window;

    public async Task StartAsync(Receiver receiver, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(receiver);
        // Start returns only when the receive endpoint is up: its queue and binding exist before the first send
        // (a send to an exchange without a binding is confirmed and dropped).
        builder.Services.Configure<MassTransitHostOptions>(host => host.WaitUntilStarted = true);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumer<SampleConsumer>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(uri));
                rabbit.UseRawJsonSerializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                rabbit.ReceiveEndpoint(Queue, endpoint =>
                {
                    endpoint.ConfigureConsumeTopology = false;
                    endpoint.SetQuorumQueue();
                    endpoint.PrefetchCount = prefetch;
                    if (concurrency > 0)
                    {
                        endpoint.ConcurrentMessageLimit = concurrency;
                    }
                    endpoint.Bind(Exchange);
                    endpoint.ConfigureConsumer<SampleConsumer>(context);
                });
            });
        });
        _host = builder.Build();
        await _host.StartAsync(cancellationToken);
        var bus = _host.Services.GetRequiredService<IBusControl>();
        _send = await bus.GetSendEndpoint(new Uri($"exchange:{Exchange}"));
    }

    public Task PublishAsync(long sequence, CancellationToken cancellationToken) =>
        _send!.Send(SampleRecorded.Create(sequence, Stopwatch.GetTimestamp()), cancellationToken);

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

/// <summary>The MassTransit consumer: reports the message and returns (MassTransit then acks it).</summary>
internal sealed class SampleConsumer(Receiver receiver) : IConsumer<SampleRecorded>
{
    public Task Consume(ConsumeContext<SampleRecorded> context)
    {
        receiver.OnReceived(context.Message.Sequence, context.Message.SentTimestamp);
        return Task.CompletedTask;
    }
}
