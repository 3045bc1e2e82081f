using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using QazBus.Queries;
using QazBus.Wire;

namespace QazBus.Transport.RabbitMq;

/// <summary>
/// The channel query requests are published on. RabbitMQ's direct reply-to delivers an answer to the channel that
/// published the request, and only while that channel consumes <c>amq.rabbitmq.reply-to</c> (no-ack), so both happen
/// on this one channel. A channel the broker closed (a refused publish closes it) is replaced on the next request.
/// </summary>
internal sealed partial class RabbitMqRequestChannel(
    Func<CancellationToken, Task<IConnection>> connect,
    CreateChannelOptions channelOptions,
    Func<TransportMessage, Task> onReply,
    string system,
    ILogger logger) : IRequestChannel
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChannel? _channel;

    public string ReplyTo => WireHeaders.DirectReplyTo;

    // The caller's token carries the deadline (the query's timeout, or PublishRetryTimeout for an asynchronous
    // request): one timer per request, not one here and one for the answer.
    public async Task PublishAsync(string exchange, TransportMessage message, CancellationToken cancellationToken)
    {
        try
        {
            var channel = await GetChannelAsync(cancellationToken).ConfigureAwait(false);

            // Mandatory: a request that reaches no queue (no provider endpoint bound) must fail now, not time out.
            await channel.BasicPublishAsync(exchange, string.Empty, mandatory: true, RabbitMqTransport.ToProperties(message), message.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (PublishException ex) when (ex.IsReturn)
        {
            throw new InvalidOperationException(
                $"No queue is bound to '{exchange}': no provider answers this query on the broker (is the providing system deployed, and its query endpoint in the registry's definitions?).", ex);
        }
        catch (Exception ex) when (RabbitMqTransport.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            // A question is not retried behind the caller's back: the caller decides (its deadline may be short).
            throw new BrokerConnectionException(BrokerConnectionFailure.ConnectionLost,
                $"The connection to RabbitMQ is down and recovering: request {message.MessageId} to '{exchange}' was not sent or not confirmed. Ask again (with the same RequestOptions.RequestId for an asynchronous request).", ex);
        }
        catch (Exception ex) when (ReplyCode(ex) == 403)
        {
            // The broker's half of "rights enforced twice": the definitions generated from the registry give a
            // system write access only to the queries it is an approved requester of.
            throw new AccessDeniedException(
                $"RabbitMQ refused system '{system}' to send to '{exchange}' (403 ACCESS_REFUSED): it is not an approved requester of this query in the registry.");
        }
    }

    private static int? ReplyCode(Exception exception) => exception switch
    {
        OperationInterruptedException interrupted => interrupted.ShutdownReason?.ReplyCode, // AlreadyClosedException too
        _ => null,
    };

    private async Task<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_channel is { IsOpen: true } current)
            {
                return current;
            }

            var old = _channel;
            var connection = await connect(cancellationToken).ConfigureAwait(false);
            var channel = await connection.CreateChannelAsync(channelOptions, cancellationToken).ConfigureAwait(false);
            await channel.BasicConsumeAsync(WireHeaders.DirectReplyTo, autoAck: true, new Replies(channel, this), cancellationToken).ConfigureAwait(false);
            _channel = channel;
            if (old is not null)
            {
                await old.DisposeAsync().ConfigureAwait(false);
            }

            return channel;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OnReplyAsync(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        try
        {
            await onReply(RabbitMqTransport.FromDelivery(properties, body, redelivered: false)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // An answer that cannot be read must not stop the reply consumer: it is logged, the request times out.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReplyFailed(logger, ex, properties.CorrelationId);
        }
    }

    private sealed class Replies(IChannel channel, RabbitMqRequestChannel owner) : AsyncDefaultBasicConsumer(channel)
    {
        public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
            IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
            owner.OnReplyAsync(properties, body);
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is { } channel)
        {
            try
            {
                if (channel.IsOpen)
                {
                    await channel.CloseAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException)
            {
                // Closed under us by a lost connection.
            }

            await channel.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A query answer (correlation id {CorrelationId}) could not be processed; the request it answers will time out")]
    private static partial void LogReplyFailed(ILogger logger, Exception exception, string? correlationId);
}
