using QazBus.Hosting.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace QazBus.Hosting.Tests.Deploy;

/// <summary>Reading YAML nodes in tests: a missing key fails with its name and line, not a null reference.</summary>
internal static class Yaml
{
    public static YamlMappingNode LoadSingle(string relative) => Parse(File.ReadAllText(Repository.PathOf(relative)));

    public static YamlMappingNode Parse(string text)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(text);
        stream.Load(reader);
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    public static YamlMappingNode Map(YamlMappingNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node.Children.TryGetValue(key, out var child)
                ? Assert.IsType<YamlMappingNode>(child)
                : throw new Xunit.Sdk.XunitException($"'{key}' missing (line {node.Start.Line})");
        }

        return node;
    }

    public static YamlSequenceNode Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var child)
            ? Assert.IsType<YamlSequenceNode>(child)
            : throw new Xunit.Sdk.XunitException($"'{key}' missing (line {node.Start.Line})");

    public static string Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var child)
            ? Text(child)
            : throw new Xunit.Sdk.XunitException($"'{key}' missing (line {node.Start.Line})");

    public static string Text(YamlNode node) => Assert.IsType<YamlScalarNode>(node).Value ?? string.Empty;

    /// <summary>The mapping of <paramref name="sequence"/> whose <c>name</c> is <paramref name="name"/>.</summary>
    public static YamlMappingNode Named(YamlSequenceNode sequence, string name) =>
        Assert.Single(sequence.Cast<YamlMappingNode>(), item => Text(item, "name") == name);
}
