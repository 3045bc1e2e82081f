using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QazBus.Schemas;

/// <summary>Reads and writes schema documents in the one committed form: canonical keyword order, two-space
/// indentation, LF line ends and a trailing newline, so committed files diff cleanly on every OS.</summary>
public static class SchemaJson
{
    // The order a reader expects: identity first, then the value's type and rules, then its structure.
    // Keywords not listed follow in ordinal order. Property names under "properties" keep the serializer's order,
    // which is the order fields are written on the wire.
    private static readonly string[] KeywordOrder =
    [
        "$schema", "$id", "$ref", "title", "description", SchemaKeywords.PersonalData,
        SchemaKeywords.Contract, SchemaKeywords.Version, SchemaKeywords.Owner, SchemaKeywords.ContractDraft, "deprecated", SchemaKeywords.Sunset,
        "type", "format", "enum", "const", "pattern",
        "minLength", "maxLength", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minItems", "maxItems",
        "properties", "required", "additionalProperties", "items", "prefixItems", "anyOf", "oneOf", "allOf", "not", "$defs",
    ];

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        // The files are read by people and diffed, never embedded in HTML: keep '+', '<', '\'' and non-ASCII
        // text (Kazakh and Russian descriptions) as they are instead of \uXXXX escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="schema"/> in the committed form: indented, LF line ends, trailing newline.</summary>
    public static string Write(JsonNode schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            schema.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Parses a schema document.</summary>
    /// <exception cref="JsonException">The text is not JSON; the exception carries the line number.</exception>
    public static JsonNode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return JsonNode.Parse(text) ?? throw new JsonException("The schema document is the JSON literal null.");
    }

    /// <summary>True when two schema texts are the same document, ignoring line-end style (CRLF checkouts).</summary>
    public static bool SameText(string left, string right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return string.Equals(left.ReplaceLineEndings("\n"), right.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    /// <summary>A deep copy of <paramref name="node"/> with every schema object's keywords in canonical order.</summary>
    public static JsonNode Canonicalize(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return CanonicalizeNode(node, isNameMap: false);
    }

    private static JsonNode CanonicalizeNode(JsonNode node, bool isNameMap) => node switch
    {
        JsonObject obj when isNameMap => CanonicalizeNameMap(obj),
        JsonObject obj => CanonicalizeSchemaObject(obj),
        JsonArray array => new JsonArray([.. array.Select(item => item is null ? null : CanonicalizeNode(item, isNameMap: false))]),
        _ => node.DeepClone(),
    };

    private static JsonObject CanonicalizeSchemaObject(JsonObject obj)
    {
        var ordered = obj
            .OrderBy(pair => KeywordRank(pair.Key))
            .ThenBy(pair => pair.Key, StringComparer.Ordinal);
        var result = new JsonObject();
        foreach (var (key, value) in ordered)
        {
            // Maps from names to schemas: their keys are data, not keywords.
            var isNameMap = key is "properties" or "patternProperties" or "$defs" or "dependentSchemas";
            result[key] = value is null ? null : CanonicalizeNode(value, isNameMap);
        }

        return result;
    }

    private static JsonObject CanonicalizeNameMap(JsonObject obj)
    {
        var result = new JsonObject();
        foreach (var (key, value) in obj)
        {
            result[key] = value is null ? null : CanonicalizeNode(value, isNameMap: false);
        }

        return result;
    }

    private static int KeywordRank(string keyword)
    {
        var index = Array.IndexOf(KeywordOrder, keyword);
        return index < 0 ? KeywordOrder.Length : index;
    }
}
