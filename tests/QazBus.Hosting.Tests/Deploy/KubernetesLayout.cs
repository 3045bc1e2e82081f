using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using QazBus.Hosting.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace QazBus.Hosting.Tests.Deploy;

/// <summary>
/// deploy/kubernetes as kustomize would assemble it: every resource file of kustomization.yaml, each built-in kind
/// loaded with the Kubernetes client's typed models in strict mode (an unknown or misspelled field throws), and the
/// custom resources (RabbitmqCluster, which has no typed model) as YAML.
/// </summary>
internal sealed partial class KubernetesLayout
{
    public const string Folder = "deploy/kubernetes";

    private KubernetesLayout(YamlMappingNode kustomization, List<(string File, object Resource)> resources, List<(string File, YamlMappingNode Resource)> custom)
    {
        Kustomization = kustomization;
        Resources = resources;
        Custom = custom;
    }

    public YamlMappingNode Kustomization { get; }

    /// <summary>The built-in kinds, typed (V1Deployment, V1Secret, …), with the file each came from.</summary>
    public IReadOnlyList<(string File, object Resource)> Resources { get; }

    /// <summary>Resources of kinds the client has no model for.</summary>
    public IReadOnlyList<(string File, YamlMappingNode Resource)> Custom { get; }

    public IEnumerable<T> OfKind<T>() => Resources.Select(r => r.Resource).OfType<T>();

    public IEnumerable<V1Deployment> Deployments => OfKind<V1Deployment>();

    public V1ConfigMap ConfigMap(string name) => Assert.Single(OfKind<V1ConfigMap>(), c => c.Metadata.Name == name);

    public V1Secret Secret(string name) => Assert.Single(OfKind<V1Secret>(), s => s.Metadata.Name == name);

    public YamlMappingNode RabbitmqCluster => Assert.Single(Custom, c => Yaml.Text(c.Resource, "kind") == "RabbitmqCluster").Resource;

    /// <summary>The ConfigMaps kustomize generates (configMapGenerator), by name, with their keys.</summary>
    public Dictionary<string, List<(string Key, string File)>> GeneratedConfigMaps() =>
        Kustomization.Children.TryGetValue("configMapGenerator", out var generators)
            ? ((YamlSequenceNode)generators).Cast<YamlMappingNode>().ToDictionary(
                g => Yaml.Text(g, "name"),
                g => Yaml.Sequence(g, "files").Select(Yaml.Text).Select(entry =>
                {
                    var parts = entry.Split('=', 2);
                    return parts.Length == 2 ? (parts[0], parts[1]) : (Path.GetFileName(entry), entry);
                }).ToList())
            : [];

    /// <summary>Names of every ConfigMap the layout creates, listed or generated.</summary>
    public HashSet<string> ConfigMapNames() => [.. OfKind<V1ConfigMap>().Select(c => c.Metadata.Name), .. GeneratedConfigMaps().Keys];

    /// <summary>Every key of a Secret, from data or stringData (kubectl merges them).</summary>
    public static HashSet<string> KeysOf(V1Secret secret) =>
        [.. secret.Data?.Keys ?? [], .. secret.StringData?.Keys ?? []];

    public static KubernetesLayout Load()
    {
        var kustomization = Yaml.LoadSingle($"{Folder}/kustomization.yaml");
        var resources = new List<(string, object)>();
        var custom = new List<(string, YamlMappingNode)>();
        foreach (var file in Yaml.Sequence(kustomization, "resources").Select(Yaml.Text))
        {
            var path = Repository.PathOf($"{Folder}/{file}");
            Assert.True(File.Exists(path), $"kustomization.yaml lists {file}, which does not exist");
            foreach (var document in DocumentSeparator().Split(File.ReadAllText(path)).Where(d => !string.IsNullOrWhiteSpace(StripComments(d))))
            {
                var node = Yaml.Parse(document);
                var kind = Yaml.Text(node, "kind");
                if (Yaml.Text(node, "apiVersion").Contains(".com/", StringComparison.Ordinal))
                {
                    custom.Add((file, node));
                    continue;
                }

                object typed;
                try
                {
                    typed = Assert.Single(KubernetesYaml.LoadAllFromString(document, strict: true));
                }
                catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException)
                {
                    throw new Xunit.Sdk.XunitException($"{file}: {kind} does not load with the strict Kubernetes model: {ex.Message} {ex.InnerException?.Message}");
                }

                Assert.True(typed is IKubernetesObject, $"{file}: {kind} is not a Kubernetes model");
                resources.Add((file, typed));
            }
        }

        return new KubernetesLayout(kustomization, resources, custom);
    }

    private static string StripComments(string document) =>
        string.Join('\n', document.Split('\n').Where(line => !line.TrimStart().StartsWith('#')));

    [GeneratedRegex(@"^---[ \t]*\r?$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}
