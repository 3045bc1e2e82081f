using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QazBus.Contracts.Population;
using QazBus.TestSupport;

namespace QazBus.MassTransit.Tests;

/// <summary>What the MassTransit consumers of a test received, and which consumer took it.</summary>
public sealed class Received
{
    private readonly ConcurrentQueue<(string Consumer, object Message, string? CloudEventsId)> _items = new();

    public IReadOnlyCollection<(string Consumer, object Message, string? CloudEventsId)> Items => _items.ToArray();

    public void Add(string consumer, object message, ConsumeContext context) =>
        _items.Enqueue((consumer, message, context.Headers.Get<string>("cloudEvents:id")));

    public Func<object, bool> FailWhen { get; set; } = _ => false;

    public async Task<(string Consumer, object Message, string? CloudEventsId)> WaitForAsync(Func<(string Consumer, object Message, string? CloudEventsId), bool> match)
    {
        for (var i = 0; i < 300; i++)
        {
            foreach (var item in _items)
            {
                if (match(item))
                {
                    return item;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No matching message reached a MassTransit consumer within 30 s; received: {string.Join(", ", _items.Select(i => $"{i.Consumer}:{i.Message.GetType().Name}:{i.CloudEventsId}"))}");
    }
}

public sealed class AddressConsumer(Received received) : IConsumer<AddressChanged>
{
    public Task Consume(ConsumeContext<AddressChanged> context)
    {
        received.Add(nameof(AddressConsumer), context.Message, context);
        return received.FailWhen(context.Message) ? throw new InvalidOperationException("Address consumer fails on purpose.") : Task.CompletedTask;
    }
}

public sealed class CitizenConsumer(Received received) : IConsumer<CitizenRegisteredV2>
{
    public Task Consume(ConsumeContext<CitizenRegisteredV2> context)
    {
        received.Add(nameof(CitizenConsumer), context.Message, context);
        return received.FailWhen(context.Message) ? throw new InvalidOperationException("Citizen consumer fails on purpose.") : Task.CompletedTask;
    }
}

/// <summary>A MassTransit worker as an agency has it (AddMassTransit, consumers), joined to QazBus with one call.</summary>
public static class MassTransitHosts
{
    public const string Endpoint = "citizens";

    public static IHost Build(string system, string uri, Received received, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, bool addresses = true) =>
        TestHosts.Build(system, uri, settings: settings, services: s =>
        {
            s.AddSingleton(received);
            services?.Invoke(s);
            WaitUntilStarted(s);
            s.AddMassTransit(x =>
            {
                x.AddConsumer<AddressConsumer>();
                x.AddConsumer<CitizenConsumer>();
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.UseQazBus(context);
                    cfg.QazBusEndpoint(context, Endpoint, e =>
                    {
                        if (addresses)
                        {
                            e.ConfigureConsumer<AddressConsumer>(context);
                        }

                        e.ConfigureConsumer<CitizenConsumer>(context);
                    });
                });
            });
        });

    // StartAsync returns once the endpoints are declared and consuming, as an SDK host's does.
    private static void WaitUntilStarted(IServiceCollection services) =>
        services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);

    /// <summary>A MassTransit publisher without endpoints.</summary>
    public static IHost BuildPublisher(string system, string uri, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        TestHosts.Build(system, uri, settings: settings, services: s =>
        {
            services?.Invoke(s);
            WaitUntilStarted(s);
            s.AddMassTransit(x => x.UsingRabbitMq((context, cfg) => cfg.UseQazBus(context)));
        });
}
