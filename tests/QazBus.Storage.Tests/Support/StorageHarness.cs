using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QazBus.Publishing;
using QazBus.Storage.Configuration;
using QazBus.Storage.Outbox;
using QazBus.TestSupport;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.Support;

/// <summary>
/// One scenario's systems: publisher hosts (mju, outbox and relay) and a consumer host (kgd, inbox and effect
/// handler), each with its own tables (prefix) in the test class's database, on a real broker.
/// </summary>
public sealed class StorageHarness : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];
    private readonly List<string> _queues = [];
    private readonly ITestOutputHelper _output;

    public StorageHarness(StorageBackend backend, string brokerUri, ITestOutputHelper output)
    {
        Backend = backend;
        BrokerUri = brokerUri;
        _output = output;
        Run = TestHosts.Unique();
        PublisherSystem = $"mju.st-{Run}";
        ConsumerSystem = $"kgd.st-{Run}";
        PublisherPrefix = $"p{Run}_";
        ConsumerPrefix = $"c{Run}_";
        Probe = new EffectProbe { Run = Run, Table = backend.Table($"{ConsumerPrefix}effects") };
    }

    public StorageBackend Backend { get; }

    public string BrokerUri { get; }

    public string Run { get; }

    public string PublisherSystem { get; }

    public string ConsumerSystem { get; }

    public string PublisherPrefix { get; }

    public string ConsumerPrefix { get; }

    public EffectProbe Probe { get; }

    public string ConsumerQueue => $"{ConsumerSystem}.items";

    /// <summary>Starts a publisher: outbox, relay, message log on the publisher tables.</summary>
    public async Task<IHost> StartPublisherAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var values = Backend.Settings(PublisherPrefix);
        values["QazBus:Storage:Relay:PollInterval"] = "00:00:00.500";
        Merge(values, settings);
        var host = TestHosts.Build(PublisherSystem, BrokerUri, bus => bus.AddStorage(), values, s =>
        {
            s.AddLogging(logging => logging.AddProvider(new TestOutputLoggerProvider(_output, "publisher")).AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>("QazBus.Transport", LogLevel.Error));
            services?.Invoke(s);
        });
        await StartAsync(host);
        return host;
    }

    /// <summary>Starts the consumer: inbox and the effect handler at endpoint "items", whose table it creates.</summary>
    public async Task<IHost> StartConsumerAsync(Dictionary<string, string?>? settings = null)
    {
        var identity = Backend.Provider == StorageProvider.Postgres ? "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
        await Backend.ExecuteAsync(Backend.Provider == StorageProvider.Postgres ? $"CREATE SCHEMA IF NOT EXISTS {Backend.Schema}" : "SELECT 1");
        await Backend.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {Probe.Table} (id {identity}, message_id text NOT NULL, number integer NOT NULL, ordering_key text NULL)");
        var values = Backend.Settings(ConsumerPrefix);
        values["QazBus:Storage:Relay:Enabled"] = "false";
        values["QazBus:Retry:Delays"] = "1s";
        Merge(values, settings);
        var host = TestHosts.Build(
            ConsumerSystem,
            BrokerUri,
            bus => bus.AddHandler<ItemRecorded, EffectHandler>("items").AddStorage(),
            values,
            services => services.AddSingleton(Probe).AddLogging(logging => logging.AddProvider(new TestOutputLoggerProvider(_output, "consumer")).AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>("QazBus.Transport", LogLevel.Error)));
        _queues.Add(ConsumerQueue);
        await StartAsync(host);
        return host;
    }

    /// <summary>Enqueues one message per number, each in its own business transaction; returns their ids.</summary>
    public async Task<List<string>> EnqueueAsync(IHost publisher, IEnumerable<int> numbers, Func<int, string?>? key = null, bool commit = true, int perTransaction = 1)
    {
        var outbox = publisher.Services.GetRequiredService<IOutbox>();
        var ids = new List<string>();
        foreach (var chunk in numbers.Chunk(perTransaction))
        {
            await using var connection = await Backend.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            foreach (var number in chunk)
            {
                var orderingKey = key?.Invoke(number);
                ids.Add(await outbox.EnqueueAsync(transaction, new ItemRecorded { Run = Run, Number = number, Key = orderingKey }, orderingKey: orderingKey));
            }

            if (commit)
            {
                await transaction.CommitAsync();
            }
            else
            {
                await transaction.RollbackAsync();
            }
        }

        return ids;
    }

    /// <summary>Waits until the effects table holds <paramref name="count"/> rows.</summary>
    public async Task WaitForEffectsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long seen;
        while ((seen = await Backend.CountAsync($"SELECT count(*) FROM {Probe.Table}")) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} effects, saw {seen} within {timeout.TotalSeconds} s.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Message ids whose effect was written more than once (must be none).</summary>
    public Task<List<string>> RepeatedEffectsAsync() =>
        Backend.StringsAsync($"SELECT message_id FROM {Probe.Table} GROUP BY message_id HAVING count(*) > 1");

    /// <summary>A plain-client queue bound to the test contract's exchange, recording every delivery of this run.</summary>
    public async Task<PlainQueue> BindPlainQueueAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri(BrokerUri), ClientProvidedName = "qazbus-storage-tests" };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var queue = $"kgd.plain-{Run}.{TestHosts.Unique()}";
        await channel.ExchangeDeclareAsync("mju.storage-test.item-recorded.v1", ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue, "mju.storage-test.item-recorded.v1", string.Empty);
        var plain = new PlainQueue(connection, channel, Run);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            plain.Add(delivery);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return plain;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.AsEnumerable().Reverse())
        {
            try
            {
                await host.StopAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex)
            {
                _output.WriteLine($"stopping a host: {ex.Message}");
            }

            host.Dispose();
        }

        if (_queues.Count > 0)
        {
            try
            {
                await using var connection = await new ConnectionFactory { Uri = new Uri(BrokerUri) }.CreateConnectionAsync();
                foreach (var queue in _queues)
                {
                    await BrokerProbe.DeleteEndpointAsync(connection, queue);
                }
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException)
            {
                _output.WriteLine($"deleting queues: {ex.Message}");
            }
        }
    }

    private async Task StartAsync(IHost host)
    {
        _hosts.Add(host);
        await host.StartAsync();
    }

    private static void Merge(Dictionary<string, string?> values, Dictionary<string, string?>? settings)
    {
        if (settings is null)
        {
            return;
        }

        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }
    }
}

/// <summary>What a plain AMQP client bound to the contract's exchange received, in arrival order.</summary>
public sealed class PlainQueue(IConnection connection, IChannel channel, string run) : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string MessageId, ItemRecorded Message, BasicDeliverEventArgs Delivery)> _received = new();

    public IReadOnlyList<(string MessageId, ItemRecorded Message, BasicDeliverEventArgs Delivery)> Received => [.. _received];

    public void Add(BasicDeliverEventArgs delivery)
    {
        var message = System.Text.Json.JsonSerializer.Deserialize<ItemRecorded>(delivery.Body.Span, QazBus.Wire.BusJson.Options)!;
        if (message.Run == run)
        {
            var copy = new BasicDeliverEventArgs(delivery.ConsumerTag, delivery.DeliveryTag, delivery.Redelivered, delivery.Exchange, delivery.RoutingKey, delivery.BasicProperties, delivery.Body.ToArray());
            _received.Enqueue((delivery.BasicProperties.MessageId!, message, copy));
        }
    }

    public async Task WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_received.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} messages at the plain queue, saw {_received.Count} within {timeout.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await channel.DisposeAsync();
        await connection.DisposeAsync();
    }
}
