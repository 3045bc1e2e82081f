using System.Globalization;
using System.Text;

namespace QazBus.Transport;

/// <summary>A message as a transport carries it: body, AMQP properties and headers.</summary>
/// <remarks>
/// Header values keep the types the broker delivered (AMQP long strings arrive as <c>byte[]</c>), so a message
/// forwarded to an error queue keeps its original headers untouched. Read them with <see cref="GetHeader"/>.
/// </remarks>
public sealed class TransportMessage
{
    /// <summary>The body bytes. Owned by this message (copied out of the client's buffers).</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>AMQP application headers.</summary>
    public Dictionary<string, object?> Headers { get; init; } = new(StringComparer.Ordinal);

    /// <summary>AMQP <c>content-type</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>AMQP <c>message-id</c>.</summary>
    public string? MessageId { get; init; }

    /// <summary>AMQP <c>correlation-id</c>.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>AMQP <c>type</c>.</summary>
    public string? Type { get; init; }

    /// <summary>AMQP <c>app-id</c>.</summary>
    public string? AppId { get; init; }

    /// <summary>AMQP <c>timestamp</c>, in seconds precision.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>True when the broker delivered this message before (it was not acknowledged).</summary>
    public bool Redelivered { get; init; }

    /// <summary>Reads a header as text, whatever type the broker delivered it as.</summary>
    public string? GetHeader(string name) =>
        Headers.TryGetValue(name, out var value) ? HeaderText(value) : null;

    /// <summary>A copy with the same body, properties and headers, plus or minus some headers.</summary>
    public TransportMessage WithHeaders(IEnumerable<KeyValuePair<string, object?>> set, IEnumerable<string>? remove = null)
    {
        var headers = new Dictionary<string, object?>(Headers, StringComparer.Ordinal);
        if (remove is not null)
        {
            foreach (var name in remove)
            {
                headers.Remove(name);
            }
        }

        foreach (var (key, value) in set)
        {
            headers[key] = value;
        }

        return new TransportMessage
        {
            Body = Body,
            Headers = headers,
            ContentType = ContentType,
            MessageId = MessageId,
            CorrelationId = CorrelationId,
            Type = Type,
            AppId = AppId,
            Timestamp = Timestamp,
        };
    }

    internal static string? HeaderText(object? value) => value switch
    {
        null => null,
        string s => s,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        ReadOnlyMemory<byte> memory => Encoding.UTF8.GetString(memory.Span),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        // A table or an array has no text form: null, never "System.Collections.Generic.Dictionary`2[…]".
        _ => null,
    };
}
