using Spectre.Console.Rendering;

namespace QazBus.Cli.Output;

/// <summary>
/// The one table style of the tool: Spectre.Console's <see cref="Table"/> without borders, columns two spaces
/// apart, like <c>kubectl get</c>: readable on a terminal and easy to cut, grep and diff in a script.
/// </summary>
/// <remarks>
/// Plain text when stdout is redirected: <see cref="CliContext.Console"/> turns ANSI off there. Written with
/// <see cref="WriteTable"/>, lines carry no trailing spaces (Spectre pads every cell to its column's width).
/// </remarks>
internal static class Tables
{
    /// <summary>A table with these column headers (plain text, not markup).</summary>
    public static Table Create(params string[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var table = new Table().NoBorder();
        for (var column = 0; column < headers.Length; column++)
        {
            // Cells never wrap: they name queues, files and ids that must stay whole.
            table.AddColumn(new TableColumn(Markup.Escape(headers[column]))
            {
                NoWrap = true,
                Padding = new Padding(0, 0, column == headers.Length - 1 ? 0 : 2, 0),
            });
        }

        return table;
    }

    /// <summary>Adds a row of plain-text cells (escaped, so brackets in ids and messages print as they are).</summary>
    public static Table AddPlainRow(this Table table, params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(cells);
        return table.AddRow(cells.Select(Markup.Escape).ToArray());
    }

    /// <summary>Writes <paramref name="table"/> with the padding at the end of each line left out.</summary>
    public static void WriteTable(this IAnsiConsole console, Table table)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Write(new WithoutTrailingSpaces(table));
    }

    private sealed class WithoutTrailingSpaces(IRenderable inner) : Renderable
    {
        protected override Measurement Measure(RenderOptions options, int maxWidth) => inner.Measure(options, maxWidth);

        protected override IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
        {
            // White space is held back until something visible follows it on the same line.
            var pending = new List<Segment>();
            foreach (var segment in inner.Render(options, maxWidth))
            {
                if (segment.IsLineBreak)
                {
                    pending.Clear();
                }
                else if (segment.IsWhiteSpace)
                {
                    pending.Add(segment);
                    continue;
                }
                else
                {
                    foreach (var held in pending)
                    {
                        yield return held;
                    }

                    pending.Clear();
                }

                yield return segment;
            }
        }
    }
}
