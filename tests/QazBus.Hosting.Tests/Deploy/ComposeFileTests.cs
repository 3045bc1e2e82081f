using System.Text.RegularExpressions;
using QazBus.Hosting.Tests.Support;
using YamlDotNet.RepresentationModel;
using static QazBus.Hosting.Tests.Deploy.Yaml;

namespace QazBus.Hosting.Tests.Deploy;

/// <summary>
/// deploy/compose cannot be run here (no Docker engine), so its structure is checked: the services an operator
/// needs, pinned images, ports, the wiring of every worker to the broker, the database and the collector, health
/// checks and start order, and that every file it refers to exists.
/// </summary>
public sealed partial class ComposeFileTests
{
    private const string ComposeFolder = "deploy/compose";
    private static readonly string[] Workers = ["population-registry", "tax-office"];

    private readonly YamlMappingNode _compose = LoadSingle($"{ComposeFolder}/compose.yaml");

    private YamlMappingNode Services => Map(_compose, "services");

    [Fact]
    public void It_has_the_broker_with_its_management_UI_the_database_the_collector_Jaeger_and_the_sample_workers()
    {
        Assert.Equal(
            new[] { "jaeger", "otel-collector", "population-registry", "postgres", "rabbitmq", "tax-office" },
            Services.Children.Keys.Select(Text).Order(StringComparer.Ordinal));
        Assert.Contains("-management", Text(Map(Services, "rabbitmq"), "image"), StringComparison.Ordinal);
        Assert.Contains("15672", HostPorts("rabbitmq").Keys);
        Assert.Contains("5672", HostPorts("rabbitmq").Keys);
        Assert.Contains("16686", HostPorts("jaeger").Keys);
        Assert.Contains("4317", HostPorts("otel-collector").Keys);
    }

    [Fact]
    public void Every_image_pulled_from_a_registry_is_pinned_to_a_version()
    {
        foreach (var (name, service) in ServiceMaps().Where(s => !s.Service.Children.ContainsKey("build")))
        {
            var image = Text(service, "image");
            Assert.Matches(PinnedImage(), image);
            Assert.DoesNotContain(":latest", image, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(name));
        }

        // The Dockerfile's base images too.
        var dockerfile = File.ReadAllText(Repository.PathOf($"{ComposeFolder}/Dockerfile"));
        var bases = DockerfileImageArg().Matches(dockerfile).Select(m => m.Groups["image"].Value).ToList();
        Assert.Equal(2, bases.Count);
        Assert.All(bases, image => Assert.Matches(PinnedImage(), image));
    }

    [Fact]
    public void Published_ports_bind_to_loopback_only()
    {
        foreach (var (name, _) in ServiceMaps())
        {
            foreach (var port in Ports(name))
            {
                Assert.StartsWith("127.0.0.1:", port, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("population-registry", "mju.population-registry", "samples/PopulationRegistry/PopulationRegistry.csproj")]
    [InlineData("tax-office", "kgd.tax-office", "samples/TaxOffice/TaxOffice.csproj")]
    public void Each_worker_is_built_from_its_project_and_wired_to_the_broker_the_database_and_the_collector(string worker, string system, string project)
    {
        var service = Map(Services, worker);
        var build = Map(service, "build");
        var context = Path.GetFullPath(Path.Combine(Repository.PathOf(ComposeFolder), Text(build, "context")));
        Assert.Equal(Repository.Root.TrimEnd(Path.DirectorySeparatorChar), context.TrimEnd(Path.DirectorySeparatorChar));
        Assert.True(File.Exists(Path.Combine(context, Text(build, "dockerfile"))), "the Dockerfile exists");
        Assert.Equal(project, Text(Map(build, "args"), "PROJECT"));
        Assert.True(File.Exists(Repository.PathOf(project)), $"{project} exists");

        var environment = Map(service, "environment");
        Assert.Equal(system, Text(environment, "QazBus__System"));
        Assert.Equal("RabbitMq", Text(environment, "QazBus__Transport"));

        // The broker: the rabbitmq service, with the user it creates.
        var rabbitMq = new Uri(Text(environment, "QazBus__RabbitMq__Uri"));
        var brokerEnvironment = Map(Map(Services, "rabbitmq"), "environment");
        Assert.Equal("amqp", rabbitMq.Scheme);
        Assert.Equal("rabbitmq", rabbitMq.Host);
        Assert.Equal(5672, rabbitMq.Port);
        Assert.Equal($"{Text(brokerEnvironment, "RABBITMQ_DEFAULT_USER")}:{Text(brokerEnvironment, "RABBITMQ_DEFAULT_PASS")}", rabbitMq.UserInfo);

        // The database: the postgres service, its user and database.
        Assert.Equal("Postgres", Text(environment, "QazBus__Storage__Provider"));
        var connection = Text(environment, "QazBus__Storage__ConnectionString").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.OrdinalIgnoreCase);
        var database = Map(Map(Services, "postgres"), "environment");
        Assert.Equal("postgres", connection["Host"]);
        Assert.Equal(Text(database, "POSTGRES_USER"), connection["Username"]);
        Assert.Equal(Text(database, "POSTGRES_PASSWORD"), connection["Password"]);
        Assert.Equal(Text(database, "POSTGRES_DB"), connection["Database"]);

        // Telemetry: OTLP to the collector's gRPC receiver.
        var otlp = new Uri(Text(environment, "OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.Equal("otel-collector", otlp.Host);
        Assert.Equal("grpc", Text(environment, "OTEL_EXPORTER_OTLP_PROTOCOL"));
        Assert.EndsWith($":{otlp.Port}", CollectorReceiver("grpc"), StringComparison.Ordinal);

        // Health: served on every interface of the container, probed by the healthcheck, published to the host.
        var healthPort = Text(environment, "QazBus__Health__Port");
        Assert.Equal("0.0.0.0", Text(environment, "QazBus__Health__Address"));
        var probe = string.Join(" ", Sequence(Map(service, "healthcheck"), "test").Select(Text));
        Assert.Contains($"http://127.0.0.1:{healthPort}/health/ready", probe, StringComparison.Ordinal);
        Assert.Contains(healthPort, HostPorts(worker).Values);

        // Start order: the broker and the database healthy, the collector started.
        var dependsOn = Map(service, "depends_on");
        Assert.Equal("service_healthy", Text(Map(dependsOn, "rabbitmq"), "condition"));
        Assert.Equal("service_healthy", Text(Map(dependsOn, "postgres"), "condition"));
        Assert.Equal("service_started", Text(Map(dependsOn, "otel-collector"), "condition"));
    }

    [Fact]
    public void The_services_others_wait_for_have_healthchecks()
    {
        foreach (var name in new[] { "rabbitmq", "postgres" }.Concat(Workers))
        {
            Assert.NotEmpty(Sequence(Map(Map(Services, name), "healthcheck"), "test"));
        }

        foreach (var (name, service) in ServiceMaps())
        {
            if (!service.Children.TryGetValue("depends_on", out var node))
            {
                continue;
            }

            foreach (var (dependency, condition) in ((YamlMappingNode)node).Children.Select(c => (Text(c.Key), (YamlMappingNode)c.Value)))
            {
                Assert.True(Services.Children.ContainsKey(dependency), $"{name} depends on unknown service {dependency}");
                if (Text(condition, "condition") == "service_healthy")
                {
                    Assert.True(Map(Services, dependency).Children.ContainsKey("healthcheck"), $"{name} waits for {dependency} to be healthy, which has no healthcheck");
                }
            }
        }
    }

    [Fact]
    public void Every_file_it_mounts_or_builds_from_exists()
    {
        var files = new List<string>();
        foreach (var (_, service) in ServiceMaps())
        {
            if (service.Children.TryGetValue("volumes", out var volumes))
            {
                foreach (var volume in ((YamlSequenceNode)volumes).Select(Text))
                {
                    var source = volume.Split(':')[0];
                    if (source.StartsWith('.') || source.StartsWith('/'))
                    {
                        files.Add(source);
                        Assert.True(File.Exists(Path.Combine(Repository.PathOf(ComposeFolder), source)), $"{source} exists");
                    }
                    else
                    {
                        Assert.True(Map(_compose, "volumes").Children.ContainsKey(source), $"named volume {source} is declared");
                    }
                }
            }
        }

        Assert.Contains("../otel/collector.yaml", files);
        Assert.True(File.Exists(Repository.PathOf($"{ComposeFolder}/Dockerfile.dockerignore")));
        Assert.True(File.Exists(Repository.PathOf($"{ComposeFolder}/README.md")));
    }

    [Fact]
    public void The_collector_receives_OTLP_on_every_interface_and_sends_traces_to_Jaeger()
    {
        var collector = LoadSingle("deploy/otel/collector.yaml");
        Assert.Equal("0.0.0.0:4317", CollectorReceiver("grpc"));
        var pipelines = Map(Map(collector, "service"), "pipelines");
        foreach (var (signal, pipeline) in pipelines.Children.Select(p => (Text(p.Key), (YamlMappingNode)p.Value)))
        {
            foreach (var kind in new[] { "receivers", "processors", "exporters" })
            {
                foreach (var component in Sequence(pipeline, kind).Select(Text))
                {
                    Assert.True(Map(collector, kind).Children.ContainsKey(component), $"pipeline {signal} uses {kind} {component}, which is not defined");
                }
            }
        }

        var traceExporters = Sequence(Map(pipelines, "traces"), "exporters").Select(Text).ToList();
        var jaeger = Assert.Single(traceExporters, e => e.StartsWith("otlp", StringComparison.Ordinal));
        Assert.Equal("jaeger:4317", Text(Map(Map(collector, "exporters"), jaeger), "endpoint"));
        Assert.Contains("metrics", pipelines.Children.Keys.Select(Text));

        // The collector's config is mounted where its command line reads it.
        var mount = Sequence(Map(Services, "otel-collector"), "volumes").Select(Text).Single(v => v.StartsWith("../otel/collector.yaml:", StringComparison.Ordinal));
        var target = mount.Split(':')[1];
        Assert.Contains($"--config={target}", Sequence(Map(Services, "otel-collector"), "command").Select(Text));
    }

    [Fact]
    public void The_readme_tells_an_operator_where_to_find_the_trace()
    {
        var readme = File.ReadAllText(Repository.PathOf($"{ComposeFolder}/README.md"));
        Assert.Contains("http://localhost:16686", readme, StringComparison.Ordinal);
        Assert.Contains("docker compose -f deploy/compose/compose.yaml up --build", readme, StringComparison.Ordinal);
    }

    private static string CollectorReceiver(string protocol) =>
        Text(Map(Map(Map(Map(LoadSingle("deploy/otel/collector.yaml"), "receivers"), "otlp"), "protocols"), protocol), "endpoint");

    private IEnumerable<(string Name, YamlMappingNode Service)> ServiceMaps() =>
        Services.Children.Select(c => (Text(c.Key), (YamlMappingNode)c.Value));

    private IEnumerable<string> Ports(string service) =>
        Map(Services, service).Children.TryGetValue("ports", out var ports) ? ((YamlSequenceNode)ports).Select(Text) : [];

    /// <summary>Published ports as host port → container port ("127.0.0.1:8081:8080" → 8081 → 8080).</summary>
    private Dictionary<string, string> HostPorts(string service) =>
        Ports(service).Select(p => p.Split(':')).ToDictionary(parts => parts[^2], parts => parts[^1]);

    // name:tag with a numeric version (2.4.0, 16.4, 3.13.7-management); no digest-less floating tags like "16" or "latest".
    [GeneratedRegex(@"^[a-z0-9./-]+:\d+\.\d+(\.\d+)?([-.][a-z0-9.-]+)?$")]
    private static partial Regex PinnedImage();

    [GeneratedRegex(@"^ARG \w+_IMAGE=(?<image>\S+)$", RegexOptions.Multiline)]
    private static partial Regex DockerfileImageArg();
}
