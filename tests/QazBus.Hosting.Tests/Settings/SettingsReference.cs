using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace QazBus.Hosting.Tests.Settings;

/// <summary>
/// Writes docs/settings.md from the options classes themselves: every settable property is a key, its default is
/// what a new options object holds, its meaning is the property's XML summary. A setting added in code without its
/// summary, or a changed default, changes the page, and the test comparing it with the committed file fails.
/// </summary>
internal static partial class SettingsReference
{
    public static string Write(IEnumerable<(string Section, Type Options, string Title)> sections)
    {
        var text = new StringBuilder();
        text.AppendLine("# Settings");
        text.AppendLine();
        text.AppendLine("Every `QazBus:*` configuration key, with its type, its default and what it does. Generated from the options");
        text.AppendLine("classes and their XML documentation by `tests/QazBus.Hosting.Tests/Settings` (a test fails when this page");
        text.AppendLine("is stale; `QAZBUS_UPDATE_DOCS=1 dotnet test tests/QazBus.Hosting.Tests --filter SettingsReference` rewrites it).");
        text.AppendLine();
        text.AppendLine("Keys are written as in `appsettings.json` sections (`QazBus:RabbitMq:Uri`); as environment variables use `__`");
        text.AppendLine("for `:` (`QazBus__RabbitMq__Uri`). Durations are `hh:mm:ss` (`00:00:30`). Every value is checked at start-up:");
        text.AppendLine("a bad one stops the host with a message naming its key.");
        foreach (var (section, options, title) in sections)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
            text.AppendLine();
            text.AppendLine("| key | type | default | meaning |");
            text.AppendLine("| --- | --- | --- | --- |");
            Rows(text, section, options, Activator.CreateInstance(options)!);
        }

        return text.ToString().ReplaceLineEndings("\n");
    }

    private static void Rows(StringBuilder text, string prefix, Type type, object defaults)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
        {
            var key = $"{prefix}:{property.Name}";
            var value = property.GetValue(defaults);
            if (IsSection(property.PropertyType))
            {
                Rows(text, key, property.PropertyType, value ?? Activator.CreateInstance(property.PropertyType)!);
                continue;
            }

            if (!property.CanWrite && !IsCollection(property.PropertyType))
            {
                continue; // computed, not a setting
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"| `{key}` | {TypeName(property.PropertyType)} | {Default(value)} | {Cell(Summary(property))} |");
        }
    }

    // A nested options object (RabbitMq, Retry, Tls, ...): its properties are keys under it.
    private static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && !IsCollection(type) && type.Namespace?.StartsWith("QazBus", StringComparison.Ordinal) == true;

    private static bool IsCollection(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

    private static string TypeName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying switch
        {
            _ when underlying == typeof(string) => "text",
            _ when underlying == typeof(bool) => "true / false",
            _ when underlying == typeof(int) || underlying == typeof(long) || underlying == typeof(ushort) => "integer",
            _ when underlying == typeof(double) || underlying == typeof(decimal) => "number",
            _ when underlying == typeof(TimeSpan) => "duration",
            _ when underlying == typeof(Uri) => "URI",
            _ when underlying.IsEnum => string.Join(" / ", Enum.GetNames(underlying).Select(n => $"`{n}`")),
            _ when underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>) => "map",
            _ when IsCollection(underlying) => "list",
            _ => underlying.Name,
        };
    }

    private static string Default(object? value) => value switch
    {
        null => "(none)",
        string { Length: 0 } => "(none)",
        string text => $"`{Cell(text)}`",
        bool flag => flag ? "`true`" : "`false`",
        TimeSpan span => $"`{span.ToString("c", CultureInfo.InvariantCulture)}`",
        IFormattable number => $"`{number.ToString(null, CultureInfo.InvariantCulture)}`",
        IEnumerable items when !items.Cast<object>().Any() => "(none)",
        IEnumerable items => $"`{Cell(string.Join(", ", items.Cast<object>().Select(i => Convert.ToString(i, CultureInfo.InvariantCulture))))}`",
        _ => $"`{Cell(value.ToString() ?? string.Empty)}`",
    };

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static readonly Dictionary<Assembly, XDocument?> Documentation = [];

    private static string Summary(PropertyInfo property)
    {
        var assembly = property.DeclaringType!.Assembly;
        if (!Documentation.TryGetValue(assembly, out var xml))
        {
            var file = Path.ChangeExtension(assembly.Location, ".xml");
            xml = File.Exists(file) ? XDocument.Load(file) : null;
            Documentation[assembly] = xml;
        }

        var name = $"P:{property.DeclaringType!.FullName}.{property.Name}";
        var summary = xml?.Descendants("member").FirstOrDefault(m => (string?)m.Attribute("name") == name)?.Element("summary");
        if (summary is null)
        {
            throw new InvalidOperationException($"{name} has no XML summary: every setting says what it does (add a /// <summary> to the property)");
        }

        var text = new StringBuilder();
        foreach (var node in summary.Nodes())
        {
            text.Append(node switch
            {
                XText plain => plain.Value,
                XElement { Name.LocalName: "c" } code => $"`{code.Value}`",
                XElement { Name.LocalName: "see" or "seealso" } see => $"`{Short((string?)see.Attribute("cref") ?? (string?)see.Attribute("langword") ?? see.Value)}`",
                XElement { Name.LocalName: "paramref" or "typeparamref" } reference => $"`{(string?)reference.Attribute("name")}`",
                XElement other => other.Value,
                _ => string.Empty,
            });
        }

        return Whitespace().Replace(text.ToString(), " ").Trim();
    }

    // "P:QazBus.Configuration.RabbitMqOptions.Uri" -> "RabbitMqOptions.Uri"; "T:QazBus.TransportKind" -> "TransportKind".
    private static string Short(string cref)
    {
        var name = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        var parts = name.Split('(')[0].Split('.');
        return cref.StartsWith("T:", StringComparison.Ordinal) || parts.Length < 2 ? parts[^1] : $"{parts[^2]}.{parts[^1]}";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
