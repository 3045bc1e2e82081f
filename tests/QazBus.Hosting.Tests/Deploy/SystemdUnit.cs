namespace QazBus.Hosting.Tests.Deploy;

/// <summary>
/// A systemd unit file read as systemd does in the parts the tests need: <c>[Section]</c> headers, <c>Key=value</c>
/// lines (a key may repeat, as LoadCredential= does), <c>#</c> and <c>;</c> comments. No line continuations.
/// </summary>
internal sealed class SystemdUnit
{
    private readonly Dictionary<(string Section, string Key), List<string>> _values;

    private SystemdUnit(Dictionary<(string, string), List<string>> values) => _values = values;

    public static SystemdUnit Load(string path)
    {
        var values = new Dictionary<(string, string), List<string>>();
        string? section = null;
        foreach (var (line, number) in File.ReadAllLines(path).Select((l, i) => (l.Trim(), i + 1)))
        {
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            Assert.False(line.EndsWith('\\'), $"{path}:{number}: line continuations are not read by this test");
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(section is not null && equals > 0, $"{path}:{number}: expected Key=value inside a [Section]: {line}");
            var key = (section!, line[..equals].Trim());
            if (!values.TryGetValue(key, out var list))
            {
                values[key] = list = [];
            }

            list.Add(line[(equals + 1)..].Trim());
        }

        return new SystemdUnit(values);
    }

    public IReadOnlyList<string> All(string section, string key) =>
        _values.TryGetValue((section, key), out var list) ? list : [];

    public string Single(string section, string key)
    {
        var values = All(section, key);
        Assert.True(values.Count == 1, $"[{section}] {key}= expected once, found {values.Count} times");
        return values[0];
    }
}
