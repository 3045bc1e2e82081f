using System.Threading.Channels;

namespace QazBus.Transport.InMemory;

/// <summary>
/// An in-process broker: fanout exchanges, queues and bindings with RabbitMQ's semantics, nothing durable.
/// </summary>
/// <remarks>
/// The embedded default, so that a demo or a developer needs no server. Several hosts in one process share a
/// broker when the same instance is registered in each (<c>services.AddSingleton(broker)</c> before
/// <c>AddQazBus</c>). Not a stand-in for RabbitMQ in transport tests.
/// </remarks>
public sealed class InMemoryBroker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<string>> _bindings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Channel<TransportMessage>> _queues = new(StringComparer.Ordinal);

    /// <summary>The names of the declared queues.</summary>
    public IReadOnlyCollection<string> Queues
    {
        get
        {
            lock (_gate)
            {
                return _queues.Keys.ToArray();
            }
        }
    }

    /// <summary>How many messages wait in <paramref name="queue"/> (not counting those being handled).</summary>
    public int CountOf(string queue)
    {
        lock (_gate)
        {
            return _queues.TryGetValue(queue, out var channel) ? channel.Reader.Count : 0;
        }
    }

    /// <summary>Takes the next waiting message from <paramref name="queue"/>, if any; for tests and tools.</summary>
    internal bool TryTake(string queue, out TransportMessage? message)
    {
        message = null;
        return QueueOrThrow(queue).Reader.TryRead(out message);
    }

    internal void DeclareExchange(string exchange)
    {
        lock (_gate)
        {
            _bindings.TryAdd(exchange, new HashSet<string>(StringComparer.Ordinal));
        }
    }

    internal void DeclareQueue(string queue)
    {
        lock (_gate)
        {
            _queues.TryAdd(queue, Channel.CreateUnbounded<TransportMessage>(new UnboundedChannelOptions { SingleReader = false }));
        }
    }

    internal void Bind(string queue, string exchange)
    {
        lock (_gate)
        {
            if (!_queues.ContainsKey(queue))
            {
                throw new InvalidOperationException($"Queue '{queue}' is not declared.");
            }

            if (!_bindings.TryGetValue(exchange, out var queues))
            {
                // As on RabbitMQ, binding to a missing exchange is an error; the subscriber declares it first.
                throw new InvalidOperationException($"Exchange '{exchange}' is not declared.");
            }

            queues.Add(queue);
        }
    }

    internal void Publish(string exchange, TransportMessage message)
    {
        Channel<TransportMessage>[] targets;
        lock (_gate)
        {
            if (!_bindings.TryGetValue(exchange, out var queues))
            {
                throw new InvalidOperationException($"Exchange '{exchange}' does not exist (RabbitMQ would answer 404 NOT_FOUND).");
            }

            targets = queues.Select(q => _queues[q]).ToArray();
        }

        foreach (var target in targets)
        {
            target.Writer.TryWrite(message);
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<TransportMessage, Task>> _replyAddresses = new(StringComparer.Ordinal);

    /// <summary>The in-memory direct reply-to: an address that delivers straight to the requester's callback.</summary>
    internal string OpenReplyAddress(Func<TransportMessage, Task> onReply)
    {
        var address = $"{Wire.WireHeaders.DirectReplyTo}.in-memory.{Guid.NewGuid():N}";
        _replyAddresses[address] = onReply;
        return address;
    }

    internal void CloseReplyAddress(string address) => _replyAddresses.TryRemove(address, out _);

    /// <summary>Delivers an answer: to a reply address (dropped when its requester is gone, as on RabbitMQ), or through a reply exchange.</summary>
    internal void Reply(string replyTo, TransportMessage message)
    {
        if (_replyAddresses.TryGetValue(replyTo, out var onReply))
        {
            _ = Task.Run(() => onReply(message));
            return;
        }

        if (replyTo.StartsWith(Wire.WireHeaders.DirectReplyTo, StringComparison.Ordinal))
        {
            return;
        }

        Publish(replyTo, message);
    }

    /// <summary>True when some queue is bound to <paramref name="exchange"/> (a mandatory publish would be routed).</summary>
    internal bool IsRouted(string exchange)
    {
        lock (_gate)
        {
            return _bindings.TryGetValue(exchange, out var queues) && queues.Count > 0;
        }
    }

    internal void Send(string queue, TransportMessage message) => QueueOrThrow(queue).Writer.TryWrite(message);

    internal ChannelReader<TransportMessage> Reader(string queue) => QueueOrThrow(queue).Reader;

    private Channel<TransportMessage> QueueOrThrow(string queue)
    {
        lock (_gate)
        {
            return _queues.TryGetValue(queue, out var channel)
                ? channel
                : throw new InvalidOperationException($"Queue '{queue}' does not exist (RabbitMQ would answer 404 NOT_FOUND).");
        }
    }
}
