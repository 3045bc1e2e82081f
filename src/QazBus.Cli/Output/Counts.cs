namespace QazBus.Cli.Output;

/// <summary>Counted nouns for messages: <c>1 problem</c>, <c>3 problems</c>, <c>2 agencies</c>.</summary>
internal static class Counts
{
    /// <summary><paramref name="count"/> and the noun, plural <paramref name="many"/> (default: <paramref name="one"/> + "s").</summary>
    public static string Of(int count, string one, string? many = null) =>
        $"{count.ToString(CultureInfo.InvariantCulture)} {(count == 1 ? one : many ?? one + "s")}";
}
