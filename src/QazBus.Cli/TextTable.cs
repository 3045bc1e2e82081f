namespace QazBus.Cli;

/// <summary>
/// Plain aligned columns, like <c>kubectl get</c>: readable on a terminal and easy to cut, grep and diff in a
/// script (no box drawing, no trailing spaces, no wrapping).
/// </summary>
internal static class TextTable
{
    private const string Gap = "  ";

    public static void Write(TextWriter writer, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var widths = headers.Select((header, column) => rows.Select(row => row[column].Length).Append(header.Length).Max()).ToArray();
        WriteRow(writer, headers, widths);
        foreach (var row in rows)
        {
            WriteRow(writer, row, widths);
        }
    }

    private static void WriteRow(TextWriter writer, IReadOnlyList<string> cells, int[] widths)
    {
        var line = string.Join(Gap, cells.Select((cell, column) => cell.PadRight(widths[column])));
        writer.WriteLine(line.TrimEnd());
    }
}
