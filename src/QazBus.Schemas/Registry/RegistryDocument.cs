using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using QazBus.Wire;

namespace QazBus.Schemas.Registry;

/// <summary>A registry read from its file, with the place of everything in it.</summary>
/// <remarks>
/// The file is read with <see cref="BusJson.Options"/>, the one JSON setup of the bus; every registry type
/// additionally refuses unknown fields, so a misspelt key is reported instead of silently ignored.
/// </remarks>
public sealed partial class RegistryDocument
{
    private readonly JsonLineMap _lines;

    private RegistryDocument(BusRegistry registry, JsonLineMap lines)
    {
        Registry = registry;
        _lines = lines;
    }

    /// <summary>The registry.</summary>
    public BusRegistry Registry { get; }

    /// <summary>The 1-based line where <paramref name="path"/> (<c>$.systems[2].id</c>) starts, or its nearest ancestor's.</summary>
    public int? LineOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _lines.LineOf(path);
    }

    /// <summary>Reads a registry from its JSON text.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="document">The registry, when it could be read.</param>
    /// <param name="problem">Otherwise the first syntax or shape error, with its place.</param>
    /// <returns>True when the registry could be read.</returns>
    public static bool TryParse(string json, out RegistryDocument? document, out RegistryProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(json);
        var lines = JsonLineMap.Build(json);
        try
        {
            var registry = JsonSerializer.Deserialize<BusRegistry>(json, BusJson.Options);
            if (registry is null)
            {
                document = null;
                problem = new RegistryProblem("$", 1, "the registry is null: expected an object with agencies, systems, contracts, subscriptions and queries");
                return false;
            }

            document = new RegistryDocument(registry, lines);
            problem = null;
            return true;
        }
        catch (JsonException exception)
        {
            var path = string.IsNullOrEmpty(exception.Path) ? "$" : exception.Path;
            var line = exception.LineNumber is { } zeroBased ? (int)zeroBased + 1 : lines.LineOf(path);
            document = null;
            problem = new RegistryProblem(path, line, Explain(exception.Message));
            return false;
        }
    }

    /// <summary>Turns System.Text.Json's messages into words about the file rather than about .NET types.</summary>
    private static string Explain(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        var text = (cut < 0 ? message : message[..cut]).Trim();
        if (MissingRequired().Match(text) is { Success: true } missing)
        {
            return $"missing required field(s) {missing.Groups["names"].Value}";
        }

        if (UnknownMember().Match(text) is { Success: true } unknown)
        {
            return $"unknown field '{unknown.Groups["name"].Value}': check its spelling against deploy/registry/README.md";
        }

        if (NullNotAllowed().Match(text) is { Success: true } nullField)
        {
            return $"'{nullField.Groups["name"].Value}' must not be null";
        }

        if (NotConvertible().Match(text) is { Success: true } conversion)
        {
            return "expected " + conversion.Groups["type"].Value switch
            {
                "System.DateOnly" or "System.Nullable`1[System.DateOnly]" => "a date written as \"YYYY-MM-DD\"",
                "System.Int32" => "a whole number",
                "System.String" => "a string",
                var type when type.Contains("IReadOnlyList", StringComparison.Ordinal) => "a list [ ... ]",
                _ => "an object { ... }",
            };
        }

        return text.Length == 0 ? "the file is not valid JSON" : string.Create(CultureInfo.InvariantCulture, $"not valid JSON: {text}");
    }

    [GeneratedRegex("missing required properties including: (?<names>.+?)\\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequired();

    [GeneratedRegex("The JSON property '(?<name>.+?)' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex UnknownMember();

    [GeneratedRegex("property or field '(?<name>.+?)' .*doesn't allow (setting|getting) null", RegexOptions.CultureInvariant)]
    private static partial Regex NullNotAllowed();

    [GeneratedRegex("could not be converted to (?<type>\\S+?)\\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex NotConvertible();
}
