using QazBus.Wire;

namespace QazBus.Transport;

/// <summary>A message as a transport carries it: body, AMQP properties and headers.</summary>
/// <remarks>
/// Header values keep the types the broker delivered (AMQP long strings arrive as <c>byte[]</c>), so a message
/// forwarded to an error queue keeps its original headers untouched. Read them with <see cref="GetHeader"/>, the one
/// reader of the wire: it knows both CloudEvents prefixes.
/// </remarks>
internal sealed record TransportMessage
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

    /// <summary>AMQP <c>reply-to</c>: where a query's answer goes.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>AMQP <c>type</c>.</summary>
    public string? Type { get; init; }

    /// <summary>AMQP <c>app-id</c>.</summary>
    public string? AppId { get; init; }

    /// <summary>AMQP <c>timestamp</c>, in seconds precision.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>True when the broker delivered this message before (it was not acknowledged).</summary>
    public bool Redelivered { get; init; }

    /// <summary>
    /// Reads a header as text, whatever type the broker delivered it as; null when absent or of a type with no text
    /// form (a table, an array). A CloudEvents attribute (<c>cloudEvents:id</c>) is also found under the binding's
    /// alternative prefix (<c>cloudEvents_id</c>).
    /// </summary>
    public string? GetHeader(string name) =>
        TryGetHeaderValue(name, out var value, out _) ? HeaderText.Lenient(value) : null;

    /// <summary>The raw value of a header, looked up as <see cref="GetHeader"/> does; <paramref name="found"/> is the name it was found under.</summary>
    internal bool TryGetHeaderValue(string name, out object? value, out string found)
    {
        found = name;
        if (Headers.TryGetValue(name, out value) && value is not null)
        {
            return true;
        }

        if (name.StartsWith(WireHeaders.CloudEventsPrefix, StringComparison.Ordinal))
        {
            var alternative = string.Concat(WireHeaders.CloudEventsAlternativePrefix, name.AsSpan(WireHeaders.CloudEventsPrefix.Length));
            if (Headers.TryGetValue(alternative, out value) && value is not null)
            {
                found = alternative;
                return true;
            }
        }

        return false;
    }

    /// <summary>A copy with the same body, properties and headers, plus or minus some headers; not marked redelivered (it is sent anew).</summary>
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

        return this with { Headers = headers, Redelivered = false };
    }
}
