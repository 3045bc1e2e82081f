using System.Text.RegularExpressions;

namespace QazBus.Schemas.Tests.Documentation;

/// <summary>
/// Code quoted in the docs comes from sample sources that compile. A block in a Markdown file is tied to a region of a
/// sample by an HTML comment on the line before it, invisible on GitHub:
/// <code>
/// &lt;!-- snippet: snippet_publish --&gt;
/// ```csharp
/// …the text between #region snippet_publish and #endregion in a .cs file under samples/…
/// ```
/// </code>
/// Both sides are compared with their common indentation and trailing spaces removed.
/// </summary>
internal static partial class Snippets
{
    /// <summary>A tagged code block: which snippet, where, and its lines.</summary>
    public sealed record Block(string Name, string File, int Line, IReadOnlyList<string> Lines);

    /// <summary>A region of a source file.</summary>
    public sealed record Region(string Name, string File, int Line, IReadOnlyList<string> Lines);

    /// <summary>The tagged blocks of a Markdown text; a marker not followed by a <c>```csharp</c> block is an error.</summary>
    public static List<Block> BlocksIn(string file, string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<Block>();
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = MarkerRegex().Match(lines[i]);
            if (!marker.Success)
            {
                continue;
            }

            var name = marker.Groups[1].Value;
            if (i + 1 >= lines.Length || lines[i + 1].Trim() != "```csharp")
            {
                throw new InvalidDataException($"{file}:{i + 1}: the snippet marker '{name}' must stand on the line right before a ```csharp block.");
            }

            var end = Array.FindIndex(lines, i + 2, l => l.Trim() == "```");
            if (end < 0)
            {
                throw new InvalidDataException($"{file}:{i + 2}: the ```csharp block of snippet '{name}' is never closed.");
            }

            blocks.Add(new Block(name, file, i + 2, Normalise(lines[(i + 2)..end])));
            i = end;
        }

        return blocks;
    }

    /// <summary>The <c>#region snippet_*</c> regions of a C# source text.</summary>
    public static List<Region> RegionsIn(string file, string source)
    {
        var lines = source.ReplaceLineEndings("\n").Split('\n');
        var regions = new List<Region>();
        for (var i = 0; i < lines.Length; i++)
        {
            var start = RegionRegex().Match(lines[i]);
            if (!start.Success)
            {
                continue;
            }

            // Snippet regions do not nest: the next #endregion closes this one.
            var end = Array.FindIndex(lines, i + 1, l => l.TrimStart().StartsWith("#endregion", StringComparison.Ordinal));
            if (end < 0)
            {
                throw new InvalidDataException($"{file}:{i + 1}: #region {start.Groups[1].Value} has no #endregion.");
            }

            regions.Add(new Region(start.Groups[1].Value, file, i + 1, Normalise(lines[(i + 1)..end])));
            i = end;
        }

        return regions;
    }

    /// <summary>What differs between a block and its region, in words naming both places; null when they match.</summary>
    public static string? Difference(Block block, Region region)
    {
        for (var i = 0; i < Math.Max(block.Lines.Count, region.Lines.Count); i++)
        {
            var quoted = i < block.Lines.Count ? block.Lines[i] : null;
            var source = i < region.Lines.Count ? region.Lines[i] : null;
            if (quoted != source)
            {
                return $"snippet '{block.Name}' in {block.File}:{block.Line + i + 1} differs from #region {region.Name} in {region.File}:{region.Line + i + 1}:\n" +
                    $"  docs:   {quoted ?? "(block ends)"}\n" +
                    $"  sample: {source ?? "(region ends)"}\n" +
                    "Copy the region's text into the block (or change the sample, which compiles, and copy it again).";
            }
        }

        return null;
    }

    // Indentation is the region's nesting in its file, not part of the code quoted: cut the common part.
    private static List<string> Normalise(IEnumerable<string> lines)
    {
        var trimmed = lines.Select(l => l.TrimEnd()).ToList();
        while (trimmed.Count > 0 && trimmed[0].Length == 0)
        {
            trimmed.RemoveAt(0);
        }

        while (trimmed.Count > 0 && trimmed[^1].Length == 0)
        {
            trimmed.RemoveAt(trimmed.Count - 1);
        }

        var indent = trimmed.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return trimmed.Select(l => l.Length == 0 ? l : l[indent..]).ToList();
    }

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(\S+)\s*-->\s*$")]
    private static partial Regex MarkerRegex();

    [GeneratedRegex(@"^\s*#region\s+(snippet_\S+)\s*$")]
    private static partial Regex RegionRegex();
}
