namespace QazBus.Cli.Tests;

/// <summary>
/// <c>qazbus new system</c> checks every name against the registry and the contracts in code before it writes a
/// file: a typo is a usage error naming what is wrong, and the repository stays as it was.
/// </summary>
public sealed class NewSystemCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "qazbus-new-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _registry;

    public NewSystemCommandTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "deploy", "registry"));
        File.WriteAllText(Path.Combine(_root, "QazBus.sln"), string.Empty);
        _registry = Path.Combine(_root, "deploy", "registry", "registry.json");
        File.Copy(Path.Combine(Cli.RepositoryRoot, "deploy", "registry", "registry.json"), _registry);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("kgd.tax-office", "--receives mju.population.address-changed", "already has the system 'kgd.tax-office'")]
    [InlineData("kgd.x", "", "name what the system receives (--receives) or publishes (--publishes)")]
    [InlineData("Kgd.X", "--receives mju.population.address-changed", "'Kgd.X' is not a system id")]
    [InlineData("mtszn.benefits", "--receives mju.population.address-changed", "the agency 'mtszn' is not in the registry yet: give its name with --agency-name")]
    [InlineData("kgd.audit", "--receives mju.population.no-such-thing", "no contract of that name in code")]
    [InlineData("kgd.audit", "--receives mju.population.citizen-registered.v9", "no v9 in code (it has v1, v2)")]
    [InlineData("kgd.audit", "--receives MJU.population", "is not a contract")]
    [InlineData("kgd.audit", "--publishes mju.population.address-changed", "a system publishes only its own agency's contracts")]
    [InlineData("kgd.audit", "--publishes kgd.audit.case-opened", "starts with the system id 'kgd.audit.'")]
    public async Task Bad_names_are_usage_errors_and_nothing_is_written(string system, string arguments, string expected)
    {
        var before = await File.ReadAllTextAsync(_registry);
        string[] args = ["new", "system", "--system", system, .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--no-regenerate"];

        var run = await Cli.RunAsync(_root, null, args);

        Assert.True(run.ExitCode == ExitCodes.UsageError, run.ToString());
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(_registry));
        Assert.False(Directory.Exists(Path.Combine(_root, "samples")), "no project folder is written");
    }

    [Fact]
    public async Task The_registry_keeps_its_lines_and_gains_the_entries_in_its_own_style()
    {
        var before = await File.ReadAllTextAsync(_registry);

        var run = await Cli.RunAsync(_root, null, "new", "system", "--system", "kgd.audit", "--name", "Tax audits",
            "--receives", "mju.population.citizen-registered", "--publishes", "kgd.audits.audit-opened", "--no-regenerate");

        Assert.True(run.ExitCode == 0, run.ToString());
        var after = await File.ReadAllTextAsync(_registry);
        var removed = before.Split('\n').Except(after.Split('\n')).ToList();
        // Only the line that ended an array gains a comma; every other line of the file is as it was.
        Assert.All(removed, line => Assert.Contains(after.Split('\n'), l => l == line.TrimEnd() + ","));
        Assert.Contains("\"publishers\": [\"kgd.audit\"]", after, StringComparison.Ordinal);
        Assert.Contains("{ \"version\": 1, \"status\": \"draft\", \"logging\": \"metadata-only\" }", after, StringComparison.Ordinal);
        // The v2 handler also receives v1 through the upcaster in code: both are approved, or the broker refuses the bind.
        const string Subscription = "\"system\": \"kgd.audit\",\n      \"endpoint\": \"citizen-registered\",\n      \"contract\": \"mju.population.citizen-registered\",\n      \"version\": ";
        Assert.Contains(Subscription + "1,", after, StringComparison.Ordinal);
        Assert.Contains(Subscription + "2,", after, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_root, "src/QazBus.Contracts/Kgd/AuditOpened.cs")));
        Assert.Contains("[ContractDraft]", await File.ReadAllTextAsync(Path.Combine(_root, "src/QazBus.Contracts/Kgd/AuditOpened.cs")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_root, "samples/Audit/Handlers/CitizenRegisteredV2Handler.cs")));
    }
}
