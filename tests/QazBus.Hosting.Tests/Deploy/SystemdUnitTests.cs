using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Hosting;
using QazBus.Configuration;
using QazBus.Hosting.Tests.Support;

namespace QazBus.Hosting.Tests.Deploy;

/// <summary>
/// deploy/systemd, checked structurally (systemd is not run): the keys every unit needs, its hardening, the stop
/// timeout against QazBus's, the assembly it starts, and the credentials its env file points at.
/// </summary>
public sealed partial class SystemdUnitTests
{
    private const string Folder = "deploy/systemd";

    public static TheoryData<string> Workers => new() { "population-registry", "tax-office" };

    [Theory]
    [MemberData(nameof(Workers))]
    public void The_unit_has_the_keys_a_QazBus_worker_needs(string worker)
    {
        var unit = SystemdUnit.Load(Repository.PathOf($"{Folder}/qazbus-{worker}.service"));

        Assert.Equal("network-online.target", unit.Single("Unit", "After"));
        Assert.Equal("network-online.target", unit.Single("Unit", "Wants"));
        // exec: the workers do not use Microsoft.Extensions.Hosting.Systemd, so notify would wait for nothing.
        Assert.Equal("exec", unit.Single("Service", "Type"));
        Assert.Equal($"/etc/qazbus/{worker}.env", unit.Single("Service", "EnvironmentFile"));
        Assert.Equal("on-failure", unit.Single("Service", "Restart"));
        Assert.NotEmpty(unit.All("Service", "LoadCredential"));
        Assert.Equal("multi-user.target", unit.Single("Install", "WantedBy"));

        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["NoNewPrivileges"] = "yes",
            ["ProtectSystem"] = "strict",
            ["ProtectHome"] = "yes",
            ["PrivateTmp"] = "yes",
            ["DynamicUser"] = "yes",
            ["StateDirectory"] = $"qazbus-{worker}",
        })
        {
            Assert.Equal(value, unit.Single("Service", key));
        }
    }

    [Theory]
    [MemberData(nameof(Workers))]
    public void The_stop_timeout_outlasts_the_hosts_own(string worker)
    {
        var unit = SystemdUnit.Load(Repository.PathOf($"{Folder}/qazbus-{worker}.service"));
        var stop = TimeSpan.FromSeconds(int.Parse(unit.Single("Service", "TimeoutStopSec"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(new QazBusOptions().ShutdownTimeout < new HostOptions().ShutdownTimeout);
        Assert.True(stop > new HostOptions().ShutdownTimeout, $"TimeoutStopSec {stop.TotalSeconds} s cuts the host's {new HostOptions().ShutdownTimeout.TotalSeconds} s stop short");
    }

    [Theory]
    [MemberData(nameof(Workers))]
    public void ExecStart_runs_the_assembly_of_a_sample_project(string worker)
    {
        var unit = SystemdUnit.Load(Repository.PathOf($"{Folder}/qazbus-{worker}.service"));
        var match = Assert.Single(ExecutedAssembly().Matches(unit.Single("Service", "ExecStart")));
        Assert.Equal(worker, match.Groups["folder"].Value);
        Assert.Equal(unit.Single("Service", "WorkingDirectory"), $"/opt/qazbus/{worker}");

        var samples = Directory.EnumerateFiles(Repository.PathOf("samples"), "*.csproj", SearchOption.AllDirectories)
            .Select(AssemblyName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(match.Groups["assembly"].Value, samples);
    }

    [Theory]
    [MemberData(nameof(Workers))]
    public void Every_credential_it_reads_is_loaded_and_every_path_of_its_env_file_is_a_credential(string worker)
    {
        var unitName = $"qazbus-{worker}.service";
        var unit = SystemdUnit.Load(Repository.PathOf($"{Folder}/{unitName}"));
        var loaded = unit.All("Service", "LoadCredential").Select(c => c.Split(':', 2)[0]).ToHashSet(StringComparer.Ordinal);

        foreach (var used in CredentialUse().Matches(unit.Single("Service", "ExecStart")).Select(m => m.Groups[1].Value))
        {
            Assert.True(loaded.Contains(used), $"ExecStart reads credential {used}, which no LoadCredential= loads");
        }

        var environment = EnvironmentFile.Load(Repository.PathOf($"{Folder}/{worker}.env.example"));
        var credentialFolder = $"/run/credentials/{unitName}/";
        foreach (var path in environment.Values.Where(v => v.StartsWith("/run/credentials/", StringComparison.Ordinal)))
        {
            Assert.StartsWith(credentialFolder, path, StringComparison.Ordinal);
            Assert.Contains(path[credentialFolder.Length..], loaded);
        }

        // The secrets are credentials, never lines of the env file.
        Assert.DoesNotContain("QazBus__RabbitMq__Uri", environment.Keys);
        Assert.DoesNotContain("QazBus__Storage__ConnectionString", environment.Keys);
        Assert.DoesNotContain("QazBus__RabbitMq__Tls__ClientCertificatePassword", environment.Keys);
    }

    [Fact]
    public void The_env_files_name_their_system_and_give_each_worker_its_own_health_port()
    {
        var ports = new List<string>();
        foreach (var (worker, system) in new[] { ("population-registry", "mju.population-registry"), ("tax-office", "kgd.tax-office") })
        {
            var environment = EnvironmentFile.Load(Repository.PathOf($"{Folder}/{worker}.env.example"));
            Assert.Equal(system, environment["QazBus__System"]);
            Assert.Equal("RabbitMq", environment["QazBus__Transport"]);
            Assert.Equal("127.0.0.1", environment["QazBus__Health__Address"]);
            ports.Add(environment["QazBus__Health__Port"]);
        }

        Assert.Equal(ports.Count, ports.Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>The assembly a project builds: its AssemblyName, else its file name.</summary>
    private static string AssemblyName(string project) =>
        XDocument.Load(project).Descendants("AssemblyName").Select(e => e.Value).FirstOrDefault()
        ?? Path.GetFileNameWithoutExtension(project);

    [GeneratedRegex(@"/opt/qazbus/(?<folder>[a-z0-9-]+)/(?<assembly>[A-Za-z0-9.]+)\.dll\b")]
    private static partial Regex ExecutedAssembly();

    [GeneratedRegex(@"CREDENTIALS_DIRECTORY/([A-Za-z0-9._-]+)")]
    private static partial Regex CredentialUse();

    /// <summary>KEY=value lines; # comments.</summary>
    private static class EnvironmentFile
    {
        public static Dictionary<string, string> Load(string path) =>
            File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
    }
}
