using RabbitMQ.Client;

namespace QazBus.Benchmarks;

/// <summary>A side connection for looking at queues while a scenario runs, and deleting them after.</summary>
internal sealed class BrokerProbe(string uri) : IAsyncDisposable
{
    private IConnection? _connection;

    public async Task<long> DepthAsync(string queue, CancellationToken cancellationToken)
    {
        var channel = await (await ConnectAsync(cancellationToken)).CreateChannelAsync(cancellationToken: cancellationToken);
        await using (channel)
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
    }

    public async Task DeleteQueuesAsync(IEnumerable<string> queues, CancellationToken cancellationToken)
    {
        var channel = await (await ConnectAsync(cancellationToken)).CreateChannelAsync(cancellationToken: cancellationToken);
        await using (channel)
        {
            foreach (var queue in queues)
            {
                var left = await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: cancellationToken);
                if (left > 0)
                {
                    Console.Error.WriteLine($"queue {queue}: {left} message(s) left, deleted");
                }
            }
        }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken) =>
        _connection ??= await new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "qazbench probe" }.CreateConnectionAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            await _connection.DisposeAsync();
        }
    }
}
