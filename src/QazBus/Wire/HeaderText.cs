using System.Collections;
using System.Globalization;
using System.Text;
using QazBus.Pipeline;

namespace QazBus.Wire;

/// <summary>
/// Reads AMQP header values as text: strictly for CloudEvents attributes (<see cref="Read"/>), leniently for display
/// (<see cref="Lenient"/>), and writes header times (<see cref="Time"/>). Strictly: The AMQP binding carries attributes as strings; RabbitMQ
/// clients hand a received long string over as bytes, so bytes are accepted when they are valid UTF-8. Any other AMQP
/// type (a table, an array, a number, a boolean) is refused: turning it into text with <c>ToString()</c> would give
/// every such message the same id (<c>System.Collections.Generic.Dictionary`2[…]</c>), and the inbox would then drop
/// every later one as a duplicate — silent loss.
/// </summary>
internal static class HeaderText
{
    /// <summary>The longest attribute QazBus accepts: ids, sources, types and schemas are short names, never documents.</summary>
    public const int MaxLength = 256;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The header's text, or null when absent; throws <c>invalid-header</c> naming the header when it is of the wrong type, not UTF-8 or too long.</summary>
    public static string? Read(string header, object? value)
    {
        string text;
        switch (value)
        {
            case null:
                return null;
            case string s:
                text = s;
                break;
            case byte[] bytes:
                text = Decode(header, bytes);
                break;
            case ReadOnlyMemory<byte> memory:
                text = Decode(header, memory.ToArray());
                break;
            default:
                throw new MessageRejectedException(RejectReason.InvalidHeader,
                    $"Header '{header}' is {Describe(value)}; CloudEvents attributes must be AMQP strings.");
        }

        if (text.Length > MaxLength)
        {
            throw new MessageRejectedException(RejectReason.InvalidHeader,
                $"Header '{header}' is {text.Length} characters long; QazBus accepts at most {MaxLength}.");
        }

        return text;
    }

    /// <summary>
    /// A header as text for display and logs, never throwing: bytes as UTF-8, numbers and times invariant; null for a
    /// table or an array, which have no text form (never <c>System.Collections.Generic.Dictionary`2[…]</c>).
    /// </summary>
    public static string? Lenient(object? value) => value switch
    {
        null => null,
        string s => s,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        ReadOnlyMemory<byte> memory => Encoding.UTF8.GetString(memory.Span),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>The one text form of a time in a header: RFC 3339 with the offset, round-trip precision.</summary>
    public static string Time(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static string Decode(string header, byte[] bytes)
    {
        // Check the length in bytes first: never decode a megabyte only to refuse it.
        if (bytes.Length > MaxLength * 4)
        {
            throw new MessageRejectedException(RejectReason.InvalidHeader,
                $"Header '{header}' is {bytes.Length} bytes long; QazBus accepts at most {MaxLength} characters.");
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new MessageRejectedException(RejectReason.InvalidHeader,
                $"Header '{header}' holds {bytes.Length} bytes that are not valid UTF-8; CloudEvents attributes must be AMQP strings.");
        }
    }

    // Names as an AMQP user knows them (AMQP 0-9-1 field types), not .NET type names.
    private static string Describe(object value) => value switch
    {
        IDictionary => "an AMQP table",
        IList => "an AMQP array",
        bool => "an AMQP boolean",
        sbyte or byte or short or ushort or int or uint or long or ulong => "an AMQP integer",
        float or double or decimal => "an AMQP number",
        RabbitMQ.Client.AmqpTimestamp => "an AMQP timestamp",
        _ => $"of AMQP type {value.GetType().Name}",
    };
}
