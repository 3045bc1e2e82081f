using System.Text.Json.Nodes;
using QazBus.Contracts;
using QazBus.Schemas;
using QazBus.Schemas.Compatibility;

namespace QazBus.Cli.Tests;

public sealed class ContractsCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qazbus-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string SchemaFile => Path.Combine(_directory, "test.cli.person-registered.v1.schema.json");

    private void Publish<T>() => File.WriteAllText(SchemaFile, ContractSchemaGenerator.GenerateText(ContractDescriptor.For(typeof(T))));

    private Task<CliRun> CheckAsync<T>(params string[] extra) =>
        Cli.RunAsync(_directory, () => [ContractDescriptor.For(typeof(T))], ["contracts", "check", "--schemas-dir", _directory, .. extra]);

    [Fact]
    public async Task Check_passes_on_the_real_contracts_and_committed_schemas()
    {
        var run = await Cli.RunInRepositoryAsync("contracts", "check");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("ok mju.population.citizen-registered v1", run.Output, StringComparison.Ordinal);
        Assert.Contains("OK:", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_finds_the_committed_schemas_from_a_directory_inside_the_repository()
    {
        var run = await Cli.RunAsync(Path.Combine(Cli.RepositoryRoot, "src", "QazBus.Cli"), null, "contracts", "check");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("src/QazBus.Contracts/Schemas", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_fails_on_a_breaking_change_naming_contract_field_and_rule()
    {
        Publish<PersonChangedBirthDate.Before>();

        var run = await CheckAsync<PersonChangedBirthDate.After>();

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(
            "BREAKING test.cli.person-registered v1: field 'birthDate' changed type from string(date) to string(date-time) — a breaking change needs a new major version (v2)",
            run.Output,
            StringComparison.Ordinal);
        Assert.Contains("FAILED: 1 breaking change", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task Update_refuses_to_rewrite_a_schema_while_a_change_breaks_it()
    {
        Publish<PersonChangedBirthDate.Before>();
        var published = File.ReadAllText(SchemaFile);

        var run = await CheckAsync<PersonChangedBirthDate.After>("--update");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("REFUSED", run.Output, StringComparison.Ordinal);
        Assert.Equal(published, File.ReadAllText(SchemaFile));
    }

    [Fact]
    public async Task A_compatible_change_passes_and_update_publishes_it()
    {
        Publish<PersonChangedBirthDate.Before>();

        var check = await CheckAsync<PersonAddedPatronymic.After>();
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("compatible test.cli.person-registered v1: field 'patronymic' was added (optional)", check.Output, StringComparison.Ordinal);
        Assert.Contains("--update", check.Output, StringComparison.Ordinal);

        var update = await CheckAsync<PersonAddedPatronymic.After>("--update");
        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Contains("updated test.cli.person-registered.v1.schema.json", update.Output, StringComparison.Ordinal);
        Assert.Contains("\"patronymic\"", File.ReadAllText(SchemaFile), StringComparison.Ordinal);

        var after = await CheckAsync<PersonAddedPatronymic.After>();
        Assert.Contains("OK: 1 contract version match", after.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_contract_fails_until_update_commits_its_schema()
    {
        var check = await CheckAsync<PersonChangedBirthDate.Before>();
        Assert.True(check.ExitCode == 1, check.ToString());
        Assert.Contains("MISSING test.cli.person-registered v1", check.Output, StringComparison.Ordinal);
        Assert.Contains("qazbus contracts check --update", check.Output, StringComparison.Ordinal);

        var update = await CheckAsync<PersonChangedBirthDate.Before>("--update");
        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.True(File.Exists(SchemaFile));
        Assert.Equal(0, (await CheckAsync<PersonChangedBirthDate.Before>()).ExitCode);
    }

    [Fact]
    public async Task A_published_contract_that_vanished_from_code_fails()
    {
        Publish<PersonChangedBirthDate.Before>();

        var run = await Cli.RunAsync(_directory, () => [], "contracts", "check", "--schemas-dir", _directory);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("BREAKING test.cli.person-registered v1: the committed schema", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_prints_the_generated_schema()
    {
        var run = await Cli.RunInRepositoryAsync("contracts", "schema", "mju.population.citizen-registered", "--version", "1");

        Assert.Equal(0, run.ExitCode);
        var schema = JsonNode.Parse(run.Output)!;
        Assert.Equal("urn:qazbus:contract:mju.population.citizen-registered:v1", (string?)schema["$id"]);
        Assert.Equal(File.ReadAllText(Path.Combine(Cli.RepositoryRoot, "src", "QazBus.Contracts", "Schemas", "mju.population.citizen-registered.v1.schema.json")), run.Output);
    }

    [Fact]
    public async Task List_shows_each_contract_version_with_owner_exchange_and_schema_file()
    {
        var run = await Cli.RunInRepositoryAsync("contracts", "list");

        Assert.Equal(0, run.ExitCode);
        var line = run.Output.Split('\n').Single(l => l.StartsWith("mju.population.address-changed ", StringComparison.Ordinal));
        Assert.Equal(
            ["mju.population.address-changed", "v1", "mju", "mju.population.address-changed.v1", "src/QazBus.Contracts/Schemas/mju.population.address-changed.v1.schema.json"],
            line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task List_output_redirected_is_plain_aligned_text_without_escapes_or_trailing_spaces()
    {
        var run = await Cli.RunInRepositoryAsync("contracts", "list");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.TrimEnd('\n').Split('\n');
        Assert.StartsWith("CONTRACT  ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Output);
        Assert.All(lines, line => Assert.False(line.EndsWith(' '), $"trailing space in '{line}'"));
        // Columns line up: each column starts at the same place on every line.
        var version = lines[0].IndexOf("VERSION", StringComparison.Ordinal);
        Assert.All(lines.Skip(1), line => Assert.Equal('v', line[version]));
    }

    [Theory]
    [InlineData("contracts", "check", "--no-such-option")]
    [InlineData("contracts")]
    [InlineData("no-such-command")]
    [InlineData("contracts", "schema")]
    [InlineData("contracts", "schema", "mju.population.no-such-contract")]
    [InlineData("contracts", "schema", "mju.population.citizen-registered", "--version", "99")]
    [InlineData("contracts", "check", "--schemas-dir", "no/such/dir")]
    public async Task Usage_errors_exit_with_2_and_a_plain_message(params string[] args)
    {
        var run = await Cli.RunInRepositoryAsync(args);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_the_repository_check_asks_for_the_schemas_directory()
    {
        var run = await Cli.RunAsync(_directory, null, "contracts", "check");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--schemas-dir", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_records_declaring_one_contract_version_fail_without_a_stack_trace()
    {
        var run = await Cli.RunAsync(
            _directory,
            () => ContractDiscovery.FindContracts([typeof(PersonChangedBirthDate.Before), typeof(PersonChangedBirthDate.After)]),
            "contracts", "list");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("declared twice", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_breaking_change_to_a_draft_passes_as_a_draft_change_and_update_rewrites_it()
    {
        Publish<DraftPersonChangedBirthDate.Before>();

        var check = await CheckAsync<DraftPersonChangedBirthDate.After>();
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains(
            "draft test.cli.person-registered v1: field 'birthDate' changed type from string(date) to string(date-time) — allowed while the version is a draft ([ContractDraft]); once published this would need a new major version",
            check.Output,
            StringComparison.Ordinal);
        Assert.DoesNotContain("BREAKING", check.Output, StringComparison.Ordinal);

        var update = await CheckAsync<DraftPersonChangedBirthDate.After>("--update");
        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Contains("updated (draft) test.cli.person-registered.v1.schema.json", update.Output, StringComparison.Ordinal);
        Assert.Contains("\"format\": \"date-time\"", File.ReadAllText(SchemaFile), StringComparison.Ordinal);
        Assert.Contains("OK: 1 contract version match", (await CheckAsync<DraftPersonChangedBirthDate.After>()).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_the_draft_mark_is_removed_the_same_change_is_breaking()
    {
        Publish<DraftPersonChangedBirthDate.Before>();

        var run = await CheckAsync<PersonChangedBirthDate.After>("--update");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("BREAKING test.cli.person-registered v1: field 'birthDate' changed type", run.Output, StringComparison.Ordinal);
        Assert.Contains("REFUSED", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_gate_and_the_command_agree_on_the_file_name()
    {
        Assert.Equal(
            Path.GetFileName(SchemaFile),
            SchemaBaselines.FileName(ContractDescriptor.For(typeof(PersonChangedBirthDate.Before))));
    }
}
