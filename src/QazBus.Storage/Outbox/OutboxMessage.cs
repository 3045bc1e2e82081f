using System.Buffers;
using System.Globalization;
using System.Text.Json;
using QazBus.Publishing;
using QazBus.Transport;

namespace QazBus.Storage.Outbox;

/// <summary>
/// One outbox row: the wire message exactly as <see cref="OutgoingMessageFactory"/> built it (body, headers,
/// AMQP properties), plus the contract, ordering key and trace context it was enqueued with.
/// </summary>
internal sealed class OutboxMessage
{
    public long Id { get; init; }

    public required string MessageId { get; init; }

    public required string Contract { get; init; }

    public required int Version { get; init; }

    public string? OrderingKey { get; init; }

    public required byte[] Body { get; init; }

    /// <summary>The AMQP headers as a JSON object of strings (an outgoing message's headers are all strings).</summary>
    public required string Headers { get; init; }

    public string? ContentType { get; init; }

    public string? CorrelationId { get; init; }

    public string? MessageType { get; init; }

    public string? AppId { get; init; }

    /// <summary>The AMQP timestamp, round-trip text ("O"), so the message is rebuilt exactly.</summary>
    public string? MessageTime { get; init; }

    /// <summary>The W3C traceparent of the span that enqueued the message: the relay's span continues it.</summary>
    public string? TraceParent { get; init; }

    /// <summary>How many publishes of this row failed before.</summary>
    public int Attempts { get; init; }

    public static OutboxMessage From(OutgoingMessage outgoing, string? orderingKey)
    {
        var message = outgoing.Message;
        return new OutboxMessage
        {
            MessageId = outgoing.MessageId,
            Contract = outgoing.Contract.Name,
            Version = outgoing.Contract.MajorVersion,
            OrderingKey = orderingKey,
            Body = message.Body.ToArray(),
            Headers = WriteHeaders(message.Headers),
            ContentType = message.ContentType,
            CorrelationId = message.CorrelationId,
            MessageType = message.Type,
            AppId = message.AppId,
            MessageTime = message.Timestamp?.ToString("O", CultureInfo.InvariantCulture),
            TraceParent = message.GetHeader(Wire.WireHeaders.TraceParent),
        };
    }

    /// <summary>The wire message again, property for property and header for header.</summary>
    public TransportMessage ToTransportMessage() => new()
    {
        Body = Body,
        Headers = ReadHeaders(Headers),
        ContentType = ContentType,
        MessageId = MessageId,
        CorrelationId = CorrelationId,
        Type = MessageType,
        AppId = AppId,
        Timestamp = MessageTime is null ? null : DateTimeOffset.ParseExact(MessageTime, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
    };

    private static string WriteHeaders(Dictionary<string, object?> headers)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in headers)
            {
                var text = Wire.HeaderText.Lenient(value);
                if (text is null)
                {
                    writer.WriteNull(name);
                }
                else
                {
                    writer.WriteString(name, text);
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Dictionary<string, object?> ReadHeaders(string json)
    {
        var headers = new Dictionary<string, object?>(8, StringComparer.Ordinal);
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        reader.Read(); // {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            headers[name] = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
        }

        return headers;
    }
}
