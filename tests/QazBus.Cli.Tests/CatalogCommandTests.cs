namespace QazBus.Cli.Tests;

public sealed class CatalogCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qazbus-cli-catalog-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string CommittedCatalog => File.ReadAllText(Path.Combine(Cli.RepositoryRoot, "docs", "catalog.md")).ReplaceLineEndings("\n");

    [Fact]
    public async Task The_committed_catalog_is_exactly_what_the_command_prints()
    {
        var run = await Cli.RunInRepositoryAsync("catalog");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(
            run.Output == CommittedCatalog,
            "docs/catalog.md is out of date: run 'dotnet run --project src/QazBus.Cli -- catalog --out docs/catalog.md' and commit it.");
        Assert.StartsWith("# QazBus contract catalog\n", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_writes_the_file_from_any_directory_of_the_repository()
    {
        var target = Path.Combine(_directory, "catalog.md");

        var run = await Cli.RunAsync(Path.Combine(Cli.RepositoryRoot, "src", "QazBus.Cli"), null, "catalog", "--out", target);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("OK: wrote ", run.Output, StringComparison.Ordinal);
        Assert.Equal(CommittedCatalog, File.ReadAllText(target));
    }

    [Fact]
    public async Task A_registry_with_problems_fails_with_each_problem_and_writes_nothing()
    {
        var registry = File.ReadAllText(Path.Combine(Cli.RepositoryRoot, "deploy", "registry", "registry.json"))
            .Replace("\"endpoint\": \"citizens\"", "\"endpoint\": \"Citizens!\"", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_directory, "registry.json"), registry);

        var run = await Cli.RunAsync(_directory, null, "catalog", "--file", "registry.json", "--out", "catalog.md");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("endpoint 'Citizens!' is invalid", run.Output, StringComparison.Ordinal);
        Assert.Contains("FAILED: 2 problems in registry.json.", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "catalog.md")));
    }

    [Fact]
    public async Task A_missing_registry_file_or_output_directory_is_a_usage_error()
    {
        var missingRegistry = await Cli.RunAsync(_directory, null, "catalog", "--file", "missing.json");
        var missingDirectory = await Cli.RunInRepositoryAsync("catalog", "--out", Path.Combine(_directory, "nowhere", "catalog.md"));

        Assert.True(missingRegistry.ExitCode == 2, missingRegistry.ToString());
        Assert.StartsWith("error: the registry file missing.json does not exist", missingRegistry.Error, StringComparison.Ordinal);
        Assert.True(missingDirectory.ExitCode == 2, missingDirectory.ToString());
        Assert.StartsWith("error: the directory of ", missingDirectory.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_given_with_file_is_named_as_given()
    {
        File.Copy(Path.Combine(Cli.RepositoryRoot, "deploy", "registry", "registry.json"), Path.Combine(_directory, "other.json"));

        var run = await Cli.RunAsync(_directory, null, "catalog", "--file", "other.json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("and the registry `other.json`.", run.Output, StringComparison.Ordinal);
    }
}
