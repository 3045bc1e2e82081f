using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QazBus.Cli.Scaffold;

/// <summary>
/// Appends entries to the arrays of a registry file as text, leaving every existing line as it was: the registry is
/// reviewed line by line when an agency joins, and a rewrite of the whole file would bury the few new lines.
/// </summary>
internal sealed class RegistryEditor(string json)
{
    // Names in Kazakh or Russian and base64 keys ('+', '/') stay readable, as a person writes them in the file.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private string _json = json;

    /// <summary>The file's text with the entries appended so far.</summary>
    public string Text => _json;

    /// <summary>
    /// Appends <paramref name="entry"/> to the top-level array <paramref name="property"/>, creating the array when the
    /// file has none; <paramref name="oneLine"/> writes it on one line, as the file writes agencies.
    /// </summary>
    public void Append(string property, JsonObject entry, bool oneLine = false)
    {
        var body = "    " + Format(entry, "    ", oneLine);
        if (FindArray(property) is not var (open, close))
        {
            // No such array yet: add it before the root object's closing brace.
            var end = _json.LastIndexOf('}');
            var last = LastNonSpace(end - 1);
            _json = string.Concat(_json.AsSpan(0, last + 1), $",\n  \"{property}\": [\n{body}\n  ]", _json.AsSpan(last + 1));
            return;
        }

        var previous = LastNonSpace(close - 1);
        var separator = previous == open ? "\n" : ",\n";
        _json = string.Concat(_json.AsSpan(0, previous + 1), separator + body + "\n  ", _json.AsSpan(close));
    }

    private (int Open, int Close)? FindArray(string property)
    {
        var bytes = Encoding.UTF8.GetBytes(_json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        int? open = null;
        while (reader.Read())
        {
            if (open is null && reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(property))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new CliException($"the registry's \"{property}\" is not an array");
                }

                open = CharIndex(bytes, (int)reader.TokenStartIndex);
            }
            else if (open is not null && reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.EndArray)
            {
                return (open.Value, CharIndex(bytes, (int)reader.TokenStartIndex));
            }
        }

        return null;
    }

    // Positions from the reader are byte offsets; names and descriptions may hold Kazakh or Russian text.
    private static int CharIndex(byte[] bytes, int byteIndex) => Encoding.UTF8.GetCharCount(bytes, 0, byteIndex);

    private int LastNonSpace(int from)
    {
        var i = from;
        while (i > 0 && char.IsWhiteSpace(_json[i]))
        {
            i--;
        }

        return i;
    }

    /// <summary>The file's own style: objects one property a line, lists of plain values and objects of plain values inside lists on one line.</summary>
    private static string Format(JsonNode? node, string indent, bool oneLine)
    {
        static bool Plain(JsonNode? value) => value is null or JsonValue;
        switch (node)
        {
            case JsonObject obj when oneLine || obj.All(p => Plain(p.Value)) && indent.Length > 4:
                return "{ " + string.Join(", ", obj.Select(p => $"{Quote(p.Key)}: {Format(p.Value, indent, true)}")) + " }";
            case JsonObject obj:
                var inner = indent + "  ";
                return "{\n" + string.Join(",\n", obj.Select(p => $"{inner}{Quote(p.Key)}: {Format(p.Value, inner, false)}")) + "\n" + indent + "}";
            case JsonArray array when array.All(Plain):
                return "[" + string.Join(", ", array.Select(item => Format(item, indent, true))) + "]";
            case JsonArray array:
                var items = indent + "  ";
                return "[\n" + string.Join(",\n", array.Select(item => items + Format(item, items, false))) + "\n" + indent + "]";
            default:
                return node?.ToJsonString(Readable) ?? "null";
        }
    }

    private static string Quote(string key) => JsonSerializer.Serialize(key, Readable);
}
