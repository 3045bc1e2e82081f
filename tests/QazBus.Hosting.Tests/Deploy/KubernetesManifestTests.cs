using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using QazBus.Configuration;
using QazBus.Hosting.Health;
using QazBus.Hosting.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace QazBus.Hosting.Tests.Deploy;

/// <summary>
/// deploy/kubernetes cannot be applied here (no cluster, no operator), so it is checked structurally: the built-in
/// kinds against the Kubernetes client's strict models, the RabbitmqCluster as YAML, and the references between
/// them: probes, resources, disruption budgets, ConfigMaps and Secrets, the broker URI and the definitions.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private const string Namespace = "qazbus";
    private static readonly string[] Workers = ["population-registry", "tax-office"];

    private readonly KubernetesLayout _layout = KubernetesLayout.Load();

    [Fact]
    public void Every_resource_of_the_kustomization_loads_with_the_strict_typed_models()
    {
        // Load() already failed on any unknown field; here: the kinds an operator expects, all in one namespace.
        Assert.Single(_layout.OfKind<V1Namespace>(), n => n.Metadata.Name == Namespace);
        Assert.Equal(Workers, _layout.Deployments.Select(d => d.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Workers, _layout.OfKind<V1PodDisruptionBudget>().Select(d => d.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Workers.Select(w => $"{w}-config"), _layout.OfKind<V1ConfigMap>().Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Single(_layout.Custom);
        Assert.Equal(Namespace, Yaml.Text(_layout.Kustomization, "namespace"));
        foreach (var (file, resource) in _layout.Resources.Where(r => r.Resource is not V1Namespace))
        {
            Assert.True(((IMetadata<V1ObjectMeta>)resource).Metadata.NamespaceProperty == Namespace, $"{file}: not in namespace {Namespace}");
        }
    }

    [Fact]
    public void Every_yaml_file_of_the_folder_is_part_of_the_kustomization()
    {
        var listed = Yaml.Sequence(_layout.Kustomization, "resources").Select(Yaml.Text).ToHashSet(StringComparer.Ordinal);
        var folder = Repository.PathOf(KubernetesLayout.Folder);
        foreach (var file in Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
                     .Where(f => f != "kustomization.yaml"))
        {
            Assert.True(listed.Contains(file), $"{file} is not listed in kustomization.yaml");
        }
    }

    [Fact]
    public void Probes_ask_the_QazBus_health_paths_on_the_configured_health_port()
    {
        foreach (var deployment in _layout.Deployments)
        {
            var config = WorkerConfig(deployment);
            Assert.Equal("0.0.0.0", config.Data["QazBus__Health__Address"]);
            var healthPort = int.Parse(config.Data["QazBus__Health__Port"], System.Globalization.CultureInfo.InvariantCulture);
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);

            Assert.Equal(QazBusHealthChecks.LivePath, container.LivenessProbe.HttpGet.Path);
            Assert.Equal(QazBusHealthChecks.ReadyPath, container.ReadinessProbe.HttpGet.Path);
            Assert.Equal(healthPort, PortNumber(container, container.LivenessProbe.HttpGet.Port));
            Assert.Equal(healthPort, PortNumber(container, container.ReadinessProbe.HttpGet.Port));
        }
    }

    [Fact]
    public void Every_container_has_cpu_and_memory_requests_within_its_limits()
    {
        foreach (var deployment in _layout.Deployments)
        {
            foreach (var container in deployment.Spec.Template.Spec.Containers.Concat(deployment.Spec.Template.Spec.InitContainers ?? []))
            {
                var resources = container.Resources ?? throw new Xunit.Sdk.XunitException($"{deployment.Metadata.Name}/{container.Name} has no resources");
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    Assert.True(resources.Requests?.ContainsKey(resource) == true, $"{container.Name}: no {resource} request");
                    Assert.True(resources.Limits?.ContainsKey(resource) == true, $"{container.Name}: no {resource} limit");
                    Assert.True(resources.Requests[resource].ToDecimal() <= resources.Limits[resource].ToDecimal(), $"{container.Name}: {resource} request above its limit");
                }
            }
        }

        var broker = Yaml.Map(_layout.RabbitmqCluster, "spec", "resources");
        foreach (var side in new[] { "requests", "limits" })
        {
            Assert.NotEmpty(Yaml.Text(Yaml.Map(broker, side), "cpu"));
            Assert.NotEmpty(Yaml.Text(Yaml.Map(broker, side), "memory"));
        }
    }

    [Fact]
    public void Every_deployment_is_covered_by_a_disruption_budget_whose_selector_matches_its_pods()
    {
        foreach (var deployment in _layout.Deployments)
        {
            var labels = deployment.Spec.Template.Metadata.Labels;
            Assert.True(deployment.Spec.Selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value), $"{deployment.Metadata.Name}: its selector does not match its pods");

            var budget = Assert.Single(_layout.OfKind<V1PodDisruptionBudget>(), b =>
                b.Metadata.NamespaceProperty == deployment.Metadata.NamespaceProperty
                && b.Spec.Selector.MatchLabels.Count > 0
                && b.Spec.Selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value));

            // Two replicas, and a budget that lets a drain evict one of them at a time.
            Assert.Equal(2, deployment.Spec.Replicas);
            Assert.True(
                budget.Spec.MinAvailable?.Value == "1" && budget.Spec.MaxUnavailable is null
                || budget.Spec.MaxUnavailable?.Value == "1" && budget.Spec.MinAvailable is null,
                $"{budget.Metadata.Name}: expected minAvailable 1 or maxUnavailable 1");
        }
    }

    [Fact]
    public void Every_ConfigMap_and_Secret_a_resource_refers_to_is_part_of_the_kustomization()
    {
        var configMaps = _layout.ConfigMapNames();
        var secrets = _layout.OfKind<V1Secret>().ToDictionary(s => s.Metadata.Name, KubernetesLayout.KeysOf);
        var referenced = 0;

        void Secret(string owner, string name, IEnumerable<string>? keys = null)
        {
            referenced++;
            Assert.True(secrets.ContainsKey(name), $"{owner} refers to Secret {name}, which the kustomization does not create");
            foreach (var key in keys ?? [])
            {
                Assert.True(secrets[name].Contains(key), $"{owner} uses key {key} of Secret {name}, which it does not have");
            }
        }

        void ConfigMap(string owner, string name)
        {
            referenced++;
            Assert.True(configMaps.Contains(name), $"{owner} refers to ConfigMap {name}, which the kustomization does not create");
        }

        foreach (var deployment in _layout.Deployments)
        {
            var owner = deployment.Metadata.Name;
            var pod = deployment.Spec.Template.Spec;
            foreach (var container in pod.Containers)
            {
                foreach (var source in container.EnvFrom ?? [])
                {
                    if (source.ConfigMapRef is { } configMapRef)
                    {
                        ConfigMap(owner, configMapRef.Name);
                    }

                    if (source.SecretRef is { } secretRef)
                    {
                        Secret(owner, secretRef.Name);
                    }
                }

                foreach (var variable in container.Env ?? [])
                {
                    if (variable.ValueFrom?.SecretKeyRef is { } secretKey)
                    {
                        Secret(owner, secretKey.Name, [secretKey.Key]);
                    }

                    if (variable.ValueFrom?.ConfigMapKeyRef is { } configMapKey)
                    {
                        ConfigMap(owner, configMapKey.Name);
                    }
                }

                foreach (var mount in container.VolumeMounts ?? [])
                {
                    Assert.True(pod.Volumes.Any(v => v.Name == mount.Name), $"{owner} mounts volume {mount.Name}, which the pod does not have");
                }
            }

            foreach (var volume in pod.Volumes ?? [])
            {
                if (volume.Secret is { } secret)
                {
                    Secret(owner, secret.SecretName, secret.Items?.Select(i => i.Key));
                }

                if (volume.ConfigMap is { } configMap)
                {
                    ConfigMap(owner, configMap.Name);
                }

                foreach (var source in volume.Projected?.Sources ?? [])
                {
                    if (source.Secret is { } projectedSecret)
                    {
                        Secret(owner, projectedSecret.Name, projectedSecret.Items?.Select(i => i.Key));
                    }

                    if (source.ConfigMap is { } projectedConfigMap)
                    {
                        ConfigMap(owner, projectedConfigMap.Name);
                    }
                }
            }
        }

        // The broker's: its TLS Secrets and the volumes of its override.
        var spec = Yaml.Map(_layout.RabbitmqCluster, "spec");
        Secret("RabbitmqCluster", Yaml.Text(Yaml.Map(spec, "tls"), "secretName"), ["tls.crt", "tls.key"]);
        Secret("RabbitmqCluster", Yaml.Text(Yaml.Map(spec, "tls"), "caSecretName"), ["ca.crt"]);
        foreach (var volume in BrokerVolumes())
        {
            if (volume.Children.ContainsKey("configMap"))
            {
                ConfigMap("RabbitmqCluster", Yaml.Text(Yaml.Map(volume, "configMap"), "name"));
            }

            if (volume.Children.ContainsKey("secret"))
            {
                Secret("RabbitmqCluster", Yaml.Text(Yaml.Map(volume, "secret"), "secretName"));
            }
        }

        Assert.True(referenced >= 12, $"only {referenced} references found: the walk missed some");
    }

    [Fact]
    public void Workers_run_as_non_root_on_a_read_only_root_without_capabilities()
    {
        foreach (var deployment in _layout.Deployments)
        {
            var pod = deployment.Spec.Template.Spec;
            Assert.True(pod.SecurityContext.RunAsNonRoot, $"{deployment.Metadata.Name}: runAsNonRoot");
            Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
            Assert.False(pod.AutomountServiceAccountToken);
            foreach (var container in pod.Containers)
            {
                Assert.True(container.SecurityContext.ReadOnlyRootFilesystem, $"{container.Name}: readOnlyRootFilesystem");
                Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
                Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
                Assert.Null(container.SecurityContext.Capabilities.Add);
            }
        }
    }

    [Fact]
    public void Stopping_gives_the_host_its_whole_shutdown_timeout_before_the_kill()
    {
        var host = new HostOptions().ShutdownTimeout;
        var drain = new QazBusOptions().ShutdownTimeout;
        Assert.True(drain < host);
        foreach (var deployment in _layout.Deployments)
        {
            var grace = TimeSpan.FromSeconds(deployment.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30);
            Assert.True(grace > host, $"{deployment.Metadata.Name}: terminationGracePeriodSeconds {grace.TotalSeconds} does not outlast the host's {host.TotalSeconds} s stop");
        }
    }

    [Fact]
    public void Each_worker_reaches_every_broker_node_as_its_own_user_of_the_definitions()
    {
        var definitions = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("deploy/rabbitmq/definitions.json"))).RootElement;
        var users = definitions.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("name").GetString()).ToHashSet();
        var vhosts = definitions.GetProperty("vhosts").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToHashSet();
        var cluster = Yaml.Text(Yaml.Map(_layout.RabbitmqCluster, "metadata"), "name");
        var replicas = int.Parse(Yaml.Text(Yaml.Map(_layout.RabbitmqCluster, "spec"), "replicas"), System.Globalization.CultureInfo.InvariantCulture);
        var expectedNodes = Enumerable.Range(0, replicas).Select(i => $"{cluster}-server-{i}.{cluster}-nodes.{Namespace}.svc:5671");

        foreach (var deployment in _layout.Deployments)
        {
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            var uri = Expand(deployment, Assert.Single(container.Env, e => e.Name == "QazBus__RabbitMq__Uri").Value);
            var system = WorkerConfig(deployment).Data["QazBus__System"];

            // amqps://user:password@host1,host2,host3/vhost, the multi-host form BrokerAddress parses.
            var match = BrokerUri().Match(uri);
            Assert.True(match.Success, $"{deployment.Metadata.Name}: '{uri}' is not amqps://user:password@hosts/vhost");
            Assert.Equal(system, match.Groups["user"].Value);
            Assert.Contains(system, users);
            Assert.Contains(match.Groups["vhost"].Value, vhosts);
            Assert.Equal(expectedNodes, match.Groups["hosts"].Value.Split(','));

            // The broker accepts TLS only, and the validator wants the TLS files only with amqps://.
            Assert.Equal("true", Yaml.Text(Yaml.Map(_layout.RabbitmqCluster, "spec", "tls"), "disableNonTLSListeners"));
            Assert.Equal("true", WorkerConfig(deployment).Data["QazBus__RabbitMq__ManagedTopology"]);
        }
    }

    [Fact]
    public void The_RabbitMQ_cluster_has_three_replicas_quorum_queues_by_default_and_loads_the_definitions()
    {
        var cluster = _layout.RabbitmqCluster;
        Assert.Equal("rabbitmq.com/v1beta1", Yaml.Text(cluster, "apiVersion"));
        var spec = Yaml.Map(cluster, "spec");
        Assert.Equal("3", Yaml.Text(spec, "replicas"));
        Assert.Equal("rabbitmq:3.13.7-management", Yaml.Text(spec, "image"));
        Assert.NotEmpty(Yaml.Text(Yaml.Map(spec, "persistence"), "storage"));

        var config = ConfigLines(Yaml.Text(Yaml.Map(spec, "rabbitmq"), "additionalConfig"));
        Assert.Equal("quorum", config["default_queue_type"]);
        Assert.Equal("local_filesystem", config["definitions.import_backend"]);
        var folder = config["definitions.local.path"].TrimEnd('/');

        // The folder holds the topology ConfigMap's file, then the users Secret's (imported in name order).
        var container = Yaml.Named(Yaml.Sequence(PodOverride(), "containers"), "rabbitmq");
        var mounts = Yaml.Sequence(container, "volumeMounts").Cast<YamlMappingNode>()
            .Where(m => Yaml.Text(m, "mountPath").StartsWith(folder + "/", StringComparison.Ordinal)).ToList();
        var generated = _layout.GeneratedConfigMaps();
        var topology = Assert.Single(mounts, m => BrokerVolume(Yaml.Text(m, "name")).Children.ContainsKey("configMap"));
        var topologyMap = Yaml.Text(Yaml.Map(BrokerVolume(Yaml.Text(topology, "name")), "configMap"), "name");
        Assert.True(generated.TryGetValue(topologyMap, out var files), $"{topologyMap} is not generated by kustomization.yaml");
        Assert.Equal("rabbitmq/definitions.json", Assert.Single(files, f => f.Key == Yaml.Text(topology, "subPath")).File);

        var users = Assert.Single(mounts, m => BrokerVolume(Yaml.Text(m, "name")).Children.ContainsKey("secret"));
        var usersSecret = _layout.Secret(Yaml.Text(Yaml.Map(BrokerVolume(Yaml.Text(users, "name")), "secret"), "secretName"));
        Assert.Contains(Yaml.Text(users, "subPath"), KubernetesLayout.KeysOf(usersSecret));
        Assert.True(
            string.CompareOrdinal(Yaml.Text(topology, "mountPath"), Yaml.Text(users, "mountPath")) < 0,
            "the users' hashes must be imported after the topology that creates the users without one");

        // One node per Kubernetes node: required anti-affinity on the hostname, selecting the cluster's own pods.
        var antiAffinity = Assert.Single(Yaml.Sequence(Yaml.Map(spec, "affinity", "podAntiAffinity"), "requiredDuringSchedulingIgnoredDuringExecution").Cast<YamlMappingNode>());
        Assert.Equal("kubernetes.io/hostname", Yaml.Text(antiAffinity, "topologyKey"));
        Assert.Equal(Yaml.Text(Yaml.Map(cluster, "metadata"), "name"), Yaml.Text(Yaml.Map(antiAffinity, "labelSelector", "matchLabels"), "app.kubernetes.io/name"));
    }

    [Fact]
    public void The_definitions_in_the_kustomization_are_the_generated_file_byte_for_byte()
    {
        var copy = File.ReadAllBytes(Repository.PathOf($"{KubernetesLayout.Folder}/rabbitmq/definitions.json"));
        var generated = File.ReadAllBytes(Repository.PathOf("deploy/rabbitmq/definitions.json"));
        Assert.True(
            copy.AsSpan().SequenceEqual(generated),
            "deploy/kubernetes/rabbitmq/definitions.json differs from deploy/rabbitmq/definitions.json: cp deploy/rabbitmq/definitions.json deploy/kubernetes/rabbitmq/definitions.json");
    }

    [Fact]
    public void The_users_secret_sets_a_hash_for_every_user_of_the_definitions()
    {
        var definitions = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("deploy/rabbitmq/definitions.json"))).RootElement;
        var users = JsonDocument.Parse(_layout.Secret("qazbus-rabbitmq-users").StringData["users.json"]).RootElement;
        Assert.Equal(
            definitions.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("name").GetString()).Order(StringComparer.Ordinal),
            users.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(users.GetProperty("users").EnumerateArray(), u => Assert.Equal("rabbit_password_hashing_sha256", u.GetProperty("hashing_algorithm").GetString()));
    }

    [Fact]
    public void Secrets_are_templates_with_placeholders_only()
    {
        foreach (var secret in _layout.OfKind<V1Secret>())
        {
            foreach (var (key, value) in secret.StringData ?? new Dictionary<string, string>())
            {
                Assert.True(value.Contains("REPLACE_ME", StringComparison.Ordinal), $"Secret {secret.Metadata.Name} key {key} holds a value, not REPLACE_ME");
            }

            foreach (var (key, value) in secret.Data ?? new Dictionary<string, byte[]>())
            {
                Assert.True(Encoding.UTF8.GetString(value) == "REPLACE_ME", $"Secret {secret.Metadata.Name} key {key} holds a value, not REPLACE_ME");
            }
        }
    }

    private V1ConfigMap WorkerConfig(V1Deployment deployment) =>
        _layout.ConfigMap(Assert.Single(Assert.Single(deployment.Spec.Template.Spec.Containers).EnvFrom, e => e.ConfigMapRef is not null).ConfigMapRef.Name);

    /// <summary>A probe's port, by number or by the name of a container port.</summary>
    private static int PortNumber(V1Container container, IntOrString port) =>
        int.TryParse(port.Value, out var number)
            ? number
            : Assert.Single(container.Ports, p => p.Name == port.Value).ContainerPort;

    /// <summary>Kubernetes' $(VAR) expansion in env values, from the container's ConfigMaps and Secrets.</summary>
    private string Expand(V1Deployment deployment, string value)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in Assert.Single(deployment.Spec.Template.Spec.Containers).EnvFrom)
        {
            var entries = source.ConfigMapRef is { } c ? _layout.ConfigMap(c.Name).Data : _layout.Secret(source.SecretRef.Name).StringData;
            foreach (var (key, entry) in entries)
            {
                variables[key] = entry;
            }
        }

        return Variable().Replace(value, m => variables.TryGetValue(m.Groups[1].Value, out var v)
            ? v
            : throw new Xunit.Sdk.XunitException($"{deployment.Metadata.Name}: $({m.Groups[1].Value}) is defined by no ConfigMap or Secret of the container"));
    }

    private YamlMappingNode PodOverride() => Yaml.Map(_layout.RabbitmqCluster, "spec", "override", "statefulSet", "spec", "template", "spec");

    private IEnumerable<YamlMappingNode> BrokerVolumes() => Yaml.Sequence(PodOverride(), "volumes").Cast<YamlMappingNode>();

    private YamlMappingNode BrokerVolume(string name) => Yaml.Named(Yaml.Sequence(PodOverride(), "volumes"), name);

    /// <summary>rabbitmq.conf's <c>key = value</c> lines, comments left out.</summary>
    private static Dictionary<string, string> ConfigLines(string config) =>
        config.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim(), StringComparer.Ordinal);

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^amqps://(?<user>[^:@/]+):(?<password>[^@/]+)@(?<hosts>[^/]+)/(?<vhost>[^/?#]+)$")]
    private static partial Regex BrokerUri();
}
