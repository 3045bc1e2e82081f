using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace QazBus.Transport.RabbitMq;

/// <summary>
/// One consumer on one queue: acknowledges a message after the pipeline returned, returns it to the queue when
/// the pipeline threw (for example when the error queue could not be written), and drains in-flight messages on stop.
/// </summary>
internal sealed partial class RabbitMqConsumer(
    IChannel channel,
    string queue,
    TimeSpan drainTimeout,
    Func<TransportMessage, CancellationToken, Task> onMessage,
    ILogger logger) : IBusConsumer
{
    private readonly CountdownEvent _inFlight = new(1);
    private string? _consumerTag;
    private bool _watching;

    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_consumerTag is null && !_watching)
        {
            // A channel the broker closes for a channel-level error is not recovered by the client (only a lost
            // connection is): say so loudly, or the endpoint would stop consuming without a word in the log.
            _watching = true;
            channel.ChannelShutdownAsync += (_, reason) =>
            {
                if (reason.Initiator != ShutdownInitiator.Application)
                {
                    LogChannelClosed(logger, queue, reason.ReplyCode, reason.ReplyText, reason.Initiator.ToString());
                }

                return Task.CompletedTask;
            };
        }

        _consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, new Deliveries(channel, this), cancellationToken).ConfigureAwait(false);
    }

    // Pausing cancels the subscription: the broker stops pushing; messages already delivered finish and are
    // acknowledged on the same channel. Resuming subscribes again.
    public async Task PauseAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_consumerTag is not null && channel.IsOpen)
            {
                await channel.BasicCancelAsync(_consumerTag).ConfigureAwait(false);
                _consumerTag = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ResumeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_consumerTag is null && channel.IsOpen)
            {
                await StartAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OnDeliveredAsync(ulong deliveryTag, bool redelivered, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!_inFlight.TryAddCount())
        {
            return; // stopping: the unacknowledged message goes back to the queue when the channel closes
        }

        try
        {
            var message = RabbitMqTransport.FromDelivery(properties, body, redelivered);
            try
            {
                await onMessage(message, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Any failure here means "not done": return the message to the queue, never lose it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogRequeued(logger, ex, queue);
                await channel.BasicNackAsync(deliveryTag, multiple: false, requeue: true, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            await channel.BasicAckAsync(deliveryTag, multiple: false, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.Signal();
        }
    }

    // The client's plain consumer base: no event and no event-args object per delivery (AsyncEventingBasicConsumer
    // allocates both), the delivery goes straight to the pipeline.
    private sealed class Deliveries(IChannel channel, RabbitMqConsumer owner) : AsyncDefaultBasicConsumer(channel)
    {
        public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
            IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
            owner.OnDeliveredAsync(deliveryTag, redelivered, properties, body, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_consumerTag is not null && channel.IsOpen)
            {
                try
                {
                    await channel.BasicCancelAsync(_consumerTag).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException)
                {
                    // The broker went away between the check and the cancel (or the client aborted a failed
                    // recovery): there is no consumer left to cancel, and unacked messages return to the queue.
                }
            }

            // Wait for messages being handled to be acknowledged before closing the channel.
            _inFlight.Signal();
            if (!await Task.Run(() => _inFlight.Wait(drainTimeout)).ConfigureAwait(false))
            {
                LogClosedWithInFlight(logger, queue, _inFlight.CurrentCount, drainTimeout);
            }

            if (channel.IsOpen)
            {
                try
                {
                    await channel.CloseAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException)
                {
                    // Closed under us by a lost connection: nothing left to close.
                }
            }
        }
        finally
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            _inFlight.Dispose();
            _gate.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The consume channel of {Queue} was closed ({Code} {Text}, by {Initiator}); messages in flight return to the queue. A lost connection is recovered by itself; any other cause stops this endpoint until the worker restarts")]
    private static partial void LogChannelClosed(ILogger logger, string queue, ushort code, string text, string initiator);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the channel of {Queue} with {Count} message(s) still being handled after {Timeout}: they return to the queue, and the inbox drops a second effect")]
    private static partial void LogClosedWithInFlight(ILogger logger, string queue, int count, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message returned to {Queue}: it could not be handled or moved to the error queue")]
    private static partial void LogRequeued(ILogger logger, Exception exception, string queue);
}
