using System.Globalization;

namespace QazBus.Schemas.Registry;

/// <summary>One thing wrong with a registry file, with its place.</summary>
/// <param name="Path">Where, as a JSON path: <c>$.subscriptions[1].version</c>.</param>
/// <param name="Line">The 1-based line in the file, when known.</param>
/// <param name="Message">What is wrong and, where it helps, what to do.</param>
public sealed record RegistryProblem(string Path, int? Line, string Message)
{
    /// <summary><c>line 14, $.subscriptions[1].version: message</c>.</summary>
    public override string ToString() =>
        Line is { } line
            ? $"line {line.ToString(CultureInfo.InvariantCulture)}, {Path}: {Message}"
            : $"{Path}: {Message}";
}
