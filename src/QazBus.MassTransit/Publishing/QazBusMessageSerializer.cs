using System.Diagnostics;
using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;
using QazBus.Publishing;
using QazBus.Wire;
using RabbitMQ.Client;

namespace QazBus.MassTransit.Publishing;

/// <summary>
/// Writes a contract exactly as the QazBus SDK does, because it is the SDK that writes it: the SDK's
/// <see cref="OutgoingMessageFactory"/> checks ownership, deprecation and the contract's rules, writes the camelCase
/// body, the CloudEvents headers and <c>traceparent</c>, and signs. This class only moves the result into
/// MassTransit's send context, and takes MassTransit's own headers off, so nothing on the wire says MassTransit.
/// </summary>
internal sealed class QazBusMessageSerializer(OutgoingMessageFactory outgoing) : IMessageSerializer
{
    public static readonly ContentType Json = new(WireHeaders.JsonContentType);

    public ContentType ContentType => Json;

    public MessageBody GetMessageBody<T>(SendContext<T> context)
        where T : class
    {
        // MassTransit's message id is the CloudEvents id: it also writes it to the AMQP message-id, as the SDK does.
        var message = outgoing.Create(
            context.Message,
            new PublishOptions { MessageId = context.MessageId?.ToString("D"), CorrelationId = context.CorrelationId?.ToString("D") },
            Activity.Current).Message;

        // MassTransit's headers (MT-Activity-Id, MT-Host-Info, and any header carried over from a consumed message)
        // are not QazBus's wire: only the SDK's headers are sent.
        foreach (var header in context.Headers.GetAll().Select(h => h.Key).ToArray())
        {
            context.Headers.Set(header, null);
        }

        foreach (var (name, value) in message.Headers)
        {
            context.Headers.Set(name, value);
        }

        if (context.TryGetPayload(out RabbitMqSendContext? rabbit))
        {
            var properties = rabbit.BasicProperties;
            properties.ContentType = message.ContentType;
            properties.Type = message.Type;
            properties.AppId = message.AppId;
            properties.DeliveryMode = DeliveryModes.Persistent;
            if (message.Timestamp is { } time)
            {
                properties.Timestamp = new AmqpTimestamp(time.ToUnixTimeSeconds());
            }
        }

        return new BytesMessageBody(message.Body.ToArray());
    }
}
