using QazBus.Contracts;
using QazBus.Contracts.Population;
using QazBus.Schemas.Compatibility;

namespace QazBus.Schemas.Tests.Compatibility;

/// <summary>The gate as CI runs it: every contract in code against its committed schema.</summary>
public sealed class CompatibilityGateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qazbus-schemas-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IReadOnlyList<ContractDescriptor> RealContracts => ContractDiscovery.FindContracts(typeof(CitizenRegistered).Assembly);

    private void Commit<T>() =>
        File.WriteAllText(
            Path.Combine(_directory, SchemaBaselines.FileName(ContractDescriptor.For(typeof(T)))),
            ContractSchemaGenerator.GenerateText(ContractDescriptor.For(typeof(T))));

    [Fact]
    public void The_committed_schemas_match_the_contracts_in_code()
    {
        var report = SchemaBaselines.Check(RealContracts, Repository.SchemasDirectory);

        Assert.True(report.Passed, string.Join("\n", report.Entries.Where(e => e.Fails).Select(e => $"{e.Contract} v{e.Version}: {e.Status} {Changes.Describe(e.Findings)}")));
        Assert.Empty(report.BreakingFindings);
        Assert.Equal(RealContracts.Count, report.Entries.Count);
    }

    [Fact]
    public void A_breaking_change_fails_the_gate_and_refuses_an_update()
    {
        Commit<DateBecameInstant.Before>();
        var report = SchemaBaselines.Check([ContractDescriptor.For(typeof(DateBecameInstant.After))], _directory);

        var entry = Assert.Single(report.Entries);
        Assert.Equal(BaselineStatus.Breaking, entry.Status);
        Assert.False(report.Passed);
        Assert.False(report.CanUpdate);
        Assert.Throws<InvalidOperationException>(() => SchemaBaselines.Update(report));
    }

    [Fact]
    public void A_compatible_change_passes_and_an_update_publishes_it()
    {
        Commit<OptionalFieldAdded.Before>();
        var after = ContractDescriptor.For(typeof(OptionalFieldAdded.After));

        var report = SchemaBaselines.Check([after], _directory);
        Assert.True(report.Passed);
        Assert.Equal(BaselineStatus.CompatibleChange, Assert.Single(report.Entries).Status);

        var written = Assert.Single(SchemaBaselines.Update(report));
        Assert.Equal(ContractSchemaGenerator.GenerateText(after), File.ReadAllText(written.FilePath));
        Assert.Equal(BaselineStatus.UpToDate, Assert.Single(SchemaBaselines.Check([after], _directory).Entries).Status);
    }

    [Fact]
    public void A_contract_without_a_committed_schema_fails_until_an_update_publishes_it()
    {
        var contract = ContractDescriptor.For(typeof(FieldRemoved.Before));

        var report = SchemaBaselines.Check([contract], _directory);
        var entry = Assert.Single(report.Entries);
        Assert.Equal(BaselineStatus.Missing, entry.Status);
        Assert.False(report.Passed);
        Assert.True(report.CanUpdate);

        SchemaBaselines.Update(report);
        Assert.True(File.Exists(Path.Combine(_directory, "test.change.field-removed.v1.schema.json")));
        Assert.True(SchemaBaselines.Check([contract], _directory).Passed);
    }

    [Fact]
    public void A_committed_schema_whose_contract_vanished_from_code_is_breaking()
    {
        Commit<FieldRemoved.Before>();

        var report = SchemaBaselines.Check([], _directory);

        var entry = Assert.Single(report.Entries);
        Assert.Equal(BaselineStatus.Removed, entry.Status);
        Assert.Equal(("test.change.field-removed", 1), (entry.Contract, entry.Version));
        Assert.True(Assert.Single(entry.Findings).IsBreaking);
        Assert.False(report.CanUpdate);
    }

    [Fact]
    public void A_committed_schema_that_is_not_JSON_fails_with_its_line()
    {
        var contract = ContractDescriptor.For(typeof(FieldRemoved.Before));
        File.WriteAllText(Path.Combine(_directory, SchemaBaselines.FileName(contract)), "{\n  \"type\": \"object\",\n  oops\n}\n");

        var report = SchemaBaselines.Check([contract], _directory);

        var entry = Assert.Single(report.Entries);
        Assert.Equal(BaselineStatus.Unreadable, entry.Status);
        Assert.Contains("line 3", entry.Findings[0].Message, StringComparison.Ordinal);
        Assert.False(report.CanUpdate);
    }

    [Fact]
    public void A_committed_schema_with_CRLF_line_ends_is_still_up_to_date()
    {
        var contract = ContractDescriptor.For(typeof(FieldRemoved.Before));
        var text = ContractSchemaGenerator.GenerateText(contract).ReplaceLineEndings("\r\n");
        File.WriteAllText(Path.Combine(_directory, SchemaBaselines.FileName(contract)), text);

        Assert.Equal(BaselineStatus.UpToDate, Assert.Single(SchemaBaselines.Check([contract], _directory).Entries).Status);
    }
}
