using System.Text;
using System.Text.Json;

namespace QazBus.Schemas.Registry;

/// <summary>Maps the JSON paths of a document (<c>$.systems[2].id</c>) to the lines they start on.</summary>
/// <remarks>
/// System.Text.Json's document model keeps no positions, so the document is read once more token by token;
/// paths are spelled as <see cref="JsonException.Path"/> spells them.
/// </remarks>
internal sealed class JsonLineMap
{
    private readonly Dictionary<string, int> _lines;

    private JsonLineMap(Dictionary<string, int> lines) => _lines = lines;

    /// <summary>The 1-based line of <paramref name="path"/>, or of its nearest ancestor that is in the document.</summary>
    public int? LineOf(string path)
    {
        for (var current = path; current.Length > 0; current = Parent(current))
        {
            if (_lines.TryGetValue(current, out var line))
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>Builds the map; a document that is not valid JSON yields the lines up to the error.</summary>
    public static JsonLineMap Build(string json)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var containers = new Stack<Container>();
        string? pendingProperty = null;
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
                var line = LineAt(lineStarts, (int)reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingProperty = reader.GetString();
                        lines.TryAdd(containers.Peek().Path + Member(pendingProperty!), line);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        containers.Pop();
                        break;
                    default:
                        var path = containers.Count == 0 ? "$"
                            : containers.Peek().IsArray ? $"{containers.Peek().Path}[{containers.Peek().NextIndex()}]"
                            : containers.Peek().Path + Member(pendingProperty!);
                        lines.TryAdd(path, line);
                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        {
                            containers.Push(new Container(path, reader.TokenType == JsonTokenType.StartArray));
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Keep what was mapped before the syntax error; the error itself carries its own line.
        }

        return new JsonLineMap(lines);
    }

    /// <summary>A member access as <see cref="JsonException.Path"/> writes it: <c>.name</c>, or <c>['odd name']</c>.</summary>
    internal static string Member(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? "." + name : $"['{name}']";

    private static string Parent(string path)
    {
        if (path == "$")
        {
            return string.Empty;
        }

        var cut = path.EndsWith(']') ? path.LastIndexOf('[') : path.LastIndexOf('.');
        return cut <= 0 ? "$" : path[..cut];
    }

    private static int LineAt(List<int> lineStarts, int offset)
    {
        var index = lineStarts.BinarySearch(offset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    private sealed class Container(string path, bool isArray)
    {
        private int _count;

        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public int NextIndex() => _count++;
    }
}
