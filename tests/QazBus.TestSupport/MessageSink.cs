using System.Collections.Concurrent;
using QazBus.Handling;

namespace QazBus.TestSupport;

/// <summary>Collects what handlers received, and waits for it with a timeout that fails the test clearly.</summary>
public sealed class MessageSink<T>
    where T : class
{
    private readonly ConcurrentQueue<(T Message, MessageContext Context)> _received = new();
    private readonly ConcurrentQueue<(MessageContext Context, DateTimeOffset At)> _attempts = new();
    private readonly SemaphoreSlim _signal = new(0);

    public IReadOnlyCollection<(T Message, MessageContext Context)> Received => _received.ToArray();

    /// <summary>Every handler call, failed or not, with when it happened.</summary>
    public IReadOnlyList<(MessageContext Context, DateTimeOffset At)> Attempts => _attempts.ToArray();

    /// <summary>What the handler throws when <see cref="FailWhen"/> says so. Default: InvalidOperationException.</summary>
    public Func<MessageContext, Exception> Failure { get; set; } = c => new InvalidOperationException($"Test handler fails attempt {c.Attempt} on purpose.");

    public void Attempted(MessageContext context)
    {
        _attempts.Enqueue((context, DateTimeOffset.UtcNow));
        _signal.Release();
    }

    /// <summary>Waits until <paramref name="count"/> handler calls matched.</summary>
    public async Task WaitForAttemptsAsync(Func<MessageContext, bool> match, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (_attempts.Count(a => match(a.Context)) < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Expected {count} matching handler calls, saw {_attempts.Count(a => match(a.Context))}.");
            }

            await _signal.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        }
    }

    /// <summary>Makes the handler throw while this returns true (for retry tests). Arguments: the context.</summary>
    public Func<MessageContext, bool> FailWhen { get; set; } = _ => false;

    public void Add(T message, MessageContext context)
    {
        _received.Enqueue((message, context));
        _signal.Release();
    }

    public async Task<(T Message, MessageContext Context)> WaitForAsync(Func<T, MessageContext, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            foreach (var item in _received)
            {
                if (match(item.Message, item.Context))
                {
                    return item;
                }
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _signal.WaitAsync(left).ConfigureAwait(false))
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new TimeoutException($"No matching {typeof(T).Name} arrived within the timeout; received {_received.Count} other(s).");
                }
            }
        }
    }
}

/// <summary>A handler that records into a <see cref="MessageSink{T}"/> registered as a singleton.</summary>
public sealed class RecordingHandler<T>(MessageSink<T> sink) : IContractHandler<T>
    where T : class
{
    public Task HandleAsync(T message, MessageContext context, CancellationToken cancellationToken)
    {
        sink.Attempted(context);
        if (sink.FailWhen(context))
        {
            throw sink.Failure(context);
        }

        sink.Add(message, context);
        return Task.CompletedTask;
    }
}
