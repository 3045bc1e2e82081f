using System.Globalization;
using System.Reflection;

namespace QazBus.Storage.Schema;

/// <summary>One versioned schema script, embedded in the assembly as <c>V{NNN}__{description}.sql</c>.</summary>
internal sealed record SchemaScript(int Version, string Description, string Template)
{
    /// <summary>The scripts embedded from one database's folder (see <see cref="Database.StorageDialect.Scripts"/>), oldest first.</summary>
    public static List<SchemaScript> Load(string provider)
    {
        var assembly = typeof(SchemaScript).Assembly;
        var prefix = $"QazBus.Storage.{provider}.V";
        var scripts = new List<SchemaScript>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            // QazBus.Storage.Postgres.V001__outbox_inbox_message_log.sql
            var file = name[(prefix.Length - 1)..^".sql".Length];
            var separator = file.IndexOf("__", StringComparison.Ordinal);
            var version = int.Parse(file[1..separator], NumberStyles.None, CultureInfo.InvariantCulture);
            var description = file[(separator + 2)..].Replace('_', ' ');
            scripts.Add(new SchemaScript(version, description, Read(assembly, name)));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        return scripts;
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
