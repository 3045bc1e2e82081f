namespace QazBus.Cli.Tests;

public sealed class RegistryCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qazbus-registry-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string RealRegistry => File.ReadAllText(Path.Combine(Cli.RepositoryRoot, "deploy", "registry", "registry.json"));

    [Fact]
    public async Task Check_passes_on_the_real_registry_with_a_one_line_summary()
    {
        var run = await Cli.RunInRepositoryAsync("registry", "check");

        Assert.True(run.ExitCode == 0, run.ToString());
        var line = Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // The counts are the live registry's, which grows with every agency that joins: only the form is fixed here.
        Assert.Matches(@"^OK: deploy/registry/registry\.json: \d+ agenc(y|ies), \d+ systems?, \d+ contracts? \(\d+ versions?\), \d+ subscriptions?, \d+ quer(y|ies) \(\d+ approved requesters?\)\.$", line.TrimEnd());
    }

    [Fact]
    public async Task Check_fails_on_a_broken_registry_naming_file_line_and_path()
    {
        var broken = RealRegistry.Replace("\"id\": \"kgd.tax-office\"", "\"id\": \"kgd.tax-office\", \"publicKeys\": []", StringComparison.Ordinal)
            .Replace("\"endpoint\": \"citizens\"", "\"endpoint\": \"Citizens!\"", StringComparison.Ordinal);
        var file = Path.Combine(_directory, "registry.json");
        File.WriteAllText(file, broken);
        var expectedLine = broken.Split('\n').ToList().FindIndex(l => l.Contains("Citizens!", StringComparison.Ordinal)) + 1;
        var subscription = System.Text.Json.Nodes.JsonNode.Parse(RealRegistry)!["subscriptions"]!.AsArray()
            .Select((s, i) => (Endpoint: (string?)s!["endpoint"], Index: i)).First(s => s.Endpoint == "citizens").Index;

        var run = await Cli.RunAsync(_directory, null, "registry", "check", "--registry", "registry.json");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"registry.json:{expectedLine}: $.subscriptions[{subscription}].endpoint: endpoint 'Citizens!' is invalid", run.Output, StringComparison.Ordinal);
        Assert.Contains("FAILED: 2 problems in registry.json.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_reports_bad_JSON_with_its_line()
    {
        File.WriteAllText(Path.Combine(_directory, "registry.json"), "{\n  \"agencies\": [\n    { \"code\": \"mju\" \"name\": \"x\" }\n  ]\n}\n");

        var run = await Cli.RunAsync(_directory, null, "registry", "check", "--registry", "registry.json");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("registry.json:3: ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queries_lists_each_approved_requester_with_the_query_its_provider_and_queue()
    {
        var run = await Cli.RunInRepositoryAsync("registry", "queries");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToList();
        Assert.Matches(@"^QUERY\s+RESPONSE\s+PROVIDER\s+QUEUE\s+REQUESTER\s+APPROVED\s+BASIS$", lines[0]);
        // The live registry's sample right; other rows come with every agency that joins.
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l,
            @"^mju\.population\.citizen-by-iin v1\s+mju\.population\.citizen-card v1\s+mju\.population-registry\s+mju\.population-registry\.citizen-queries\s+kgd\.tax-office\s+2026-12-01\s+Sample approval: identity check before opening a taxpayer record$"));
    }

    [Fact]
    public async Task Queries_shows_a_query_nobody_may_ask_yet_and_refuses_a_broken_registry()
    {
        var registry = System.Text.Json.Nodes.JsonNode.Parse(RealRegistry)!.AsObject();
        foreach (var query in registry["queries"]!.AsArray())
        {
            query!["requesters"] = new System.Text.Json.Nodes.JsonArray();
        }

        File.WriteAllText(Path.Combine(_directory, "none.json"), registry.ToJsonString());
        File.WriteAllText(Path.Combine(_directory, "broken.json"), RealRegistry.Replace("\"endpoint\": \"citizen-queries\"", "\"endpoint\": \"replies\"", StringComparison.Ordinal));

        var none = await Cli.RunAsync(_directory, null, "registry", "queries", "--registry", "none.json");
        var broken = await Cli.RunAsync(_directory, null, "registry", "queries", "--registry", "broken.json");

        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Matches(@"\n?mju\.population\.citizen-by-iin v1\s+.*\s+—\s+—\s+no approved requesters\n", none.Output);
        Assert.True(broken.ExitCode == 1, broken.ToString());
        Assert.Contains("$.queries[0].endpoint: endpoint 'replies' is the provider's reply queue", broken.Output, StringComparison.Ordinal);
        Assert.Contains("FAILED: 1 problem in broken.json.", broken.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_file_that_does_not_exist_is_a_usage_error()
    {
        // --file, the option's older name, still works.
        var run = await Cli.RunAsync(_directory, null, "registry", "check", "--file", "missing.json");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("missing.json does not exist", run.Error, StringComparison.Ordinal);
    }
}
