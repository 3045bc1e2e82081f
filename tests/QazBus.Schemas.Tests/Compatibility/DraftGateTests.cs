using QazBus.Contracts;
using QazBus.Schemas.Compatibility;

namespace QazBus.Schemas.Tests.Compatibility;

/// <summary>
/// The gate and a contract version under review: a draft may change in any way until the mark is removed; from then
/// on the normal rules apply, and a published version cannot become a draft again.
/// </summary>
public sealed class DraftGateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qazbus-drafts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string SchemaFile => Path.Combine(_directory, "test.change.draft.v1.schema.json");

    private void Commit<T>() => File.WriteAllText(SchemaFile, ContractSchemaGenerator.GenerateText(ContractDescriptor.For(typeof(T))));

    private BaselineReport Check<T>() => SchemaBaselines.Check([ContractDescriptor.For(typeof(T))], _directory);

    [Fact]
    public void A_draft_schema_says_it_is_a_draft()
    {
        Assert.Equal("true", ContractSchemaGenerator.Generate(typeof(DraftChanged.DraftBefore))[SchemaKeywords.ContractDraft]?.ToJsonString());
        Assert.Null(ContractSchemaGenerator.Generate(typeof(DraftChanged.PublishedBefore))[SchemaKeywords.ContractDraft]);
    }

    [Fact]
    public void A_breaking_change_to_a_draft_is_a_draft_change_and_update_rewrites_it()
    {
        Commit<DraftChanged.DraftBefore>();

        var report = Check<DraftChanged.DraftAfter>();

        var entry = Assert.Single(report.Entries);
        Assert.Equal(BaselineStatus.DraftChange, entry.Status);
        Assert.True(report.Passed);
        Assert.True(report.CanUpdate);
        Assert.Empty(report.BreakingFindings);
        // Each change is still reported with its rule, for the reviewers of the draft.
        Assert.False(Changes.Single(entry.Findings, CompatibilityRule.TypeChanged).IsBreaking);
        Assert.False(Changes.Single(entry.Findings, CompatibilityRule.RequiredFieldAdded).IsBreaking);

        var written = Assert.Single(SchemaBaselines.Update(report));
        Assert.Equal(ContractSchemaGenerator.GenerateText(ContractDescriptor.For(typeof(DraftChanged.DraftAfter))), File.ReadAllText(written.FilePath));
        Assert.Equal(BaselineStatus.UpToDate, Assert.Single(Check<DraftChanged.DraftAfter>().Entries).Status);
    }

    [Fact]
    public void The_same_change_without_the_draft_mark_is_breaking()
    {
        Commit<DraftChanged.DraftBefore>();

        var report = Check<DraftChanged.PublishedAfter>();

        var entry = Assert.Single(report.Entries);
        Assert.Equal(BaselineStatus.Breaking, entry.Status);
        Assert.False(report.Passed);
        Assert.False(report.CanUpdate);
        Assert.True(Changes.Single(entry.Findings, CompatibilityRule.TypeChanged).IsBreaking);
        Assert.True(Changes.Single(entry.Findings, CompatibilityRule.RequiredFieldAdded).IsBreaking);
        Assert.Throws<InvalidOperationException>(() => SchemaBaselines.Update(report));
    }

    [Fact]
    public void Removing_the_draft_mark_publishes_the_version_as_a_compatible_change()
    {
        Commit<DraftChanged.DraftBefore>();

        var report = Check<DraftChanged.PublishedBefore>();

        var entry = Assert.Single(report.Entries);
        Assert.Equal(BaselineStatus.CompatibleChange, entry.Status);
        Assert.Contains("no longer a draft", Changes.Single(entry.Findings, CompatibilityRule.DraftPublished).Message, StringComparison.Ordinal);
        SchemaBaselines.Update(report);
        Assert.DoesNotContain(SchemaKeywords.ContractDraft, File.ReadAllText(SchemaFile), StringComparison.Ordinal);
    }

    [Fact]
    public void A_published_version_marked_draft_again_is_breaking()
    {
        Commit<DraftChanged.PublishedBefore>();

        var report = Check<DraftChanged.DraftAfter>();

        var entry = Assert.Single(report.Entries);
        Assert.Equal(BaselineStatus.Breaking, entry.Status);
        Assert.True(Changes.Single(entry.Findings, CompatibilityRule.DraftReopened).IsBreaking);
        Assert.True(Changes.Single(entry.Findings, CompatibilityRule.TypeChanged).IsBreaking);
        Assert.False(report.CanUpdate);
    }

    [Fact]
    public void A_new_draft_is_missing_until_update_commits_it()
    {
        var report = Check<DraftChanged.DraftBefore>();

        Assert.Equal(BaselineStatus.Missing, Assert.Single(report.Entries).Status);
        SchemaBaselines.Update(report);
        Assert.Equal(BaselineStatus.UpToDate, Assert.Single(Check<DraftChanged.DraftBefore>().Entries).Status);
    }
}
