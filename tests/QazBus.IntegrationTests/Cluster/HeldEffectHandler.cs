using QazBus.Contracts.Population;
using QazBus.Handling;
using QazBus.IntegrationTests.Faults;
using QazBus.Pipeline;
using QazBus.Storage.Inbox;
using QazBus.TestSupport;

namespace QazBus.IntegrationTests.Cluster;

/// <summary>
/// Holds one handler, once armed, after it has written its effect and before the inbox transaction commits: the
/// message is then handled but not acknowledged when the test kills the consumer's node, so the broker must deliver
/// it again and only the inbox keeps it from a second effect. Without the hold the window between commit and ack is
/// a few microseconds and a kill rarely hits it; with it every node-loss test proves the inbox.
/// </summary>
public sealed class HandlerHold
{
    private readonly TaskCompletionSource<string> _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _armed;

    /// <summary>The id of the message being held, once a handler has entered the hold.</summary>
    public Task<string> Held => _held.Task;

    /// <summary>The next message handled is held until <see cref="Release"/>.</summary>
    public void Arm() => Volatile.Write(ref _armed, 1);

    public void Release() => _released.TrySetResult();

    internal async Task PassAsync(string messageId)
    {
        if (Interlocked.CompareExchange(ref _armed, 0, 1) == 1)
        {
            _held.TrySetResult(messageId);

            // Not cancelled with the delivery: a handler whose work is done finishes it, as a real one would.
            await _released.Task;
        }
    }
}

/// <summary>The fault tests' effect handler (one effect row in the inbox's transaction), then the <see cref="HandlerHold"/>.</summary>
internal sealed class HeldEffectHandler(IInboxTransaction inbox, EffectTable table, HandlerHold hold) : IContractHandler<AddressChanged>
{
    private readonly EffectHandler _effect = new(inbox, table);

    public async Task HandleAsync(AddressChanged message, MessageContext context, CancellationToken cancellationToken)
    {
        await _effect.HandleAsync(message, context, cancellationToken);
        await hold.PassAsync(context.MessageId);
    }
}

/// <summary>How often each message reached the consumer, duplicates included: shows that the held message came again.</summary>
public sealed class DeliveryLog
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _deliveries = new();

    public int Of(string messageId) => _deliveries.TryGetValue(messageId, out var count) ? count : 0;

    internal void Add(string messageId) => _deliveries.AddOrUpdate(messageId, 1, (_, count) => count + 1);
}

/// <summary>Added before the inbox, so it counts the deliveries the inbox then drops as duplicates.</summary>
internal sealed class DeliveryLogFilter(DeliveryLog log) : IConsumeFilter
{
    public Task InvokeAsync(ConsumeContext context, ConsumeStep continuation)
    {
        log.Add(context.Message.MessageId);
        return continuation(context);
    }
}
