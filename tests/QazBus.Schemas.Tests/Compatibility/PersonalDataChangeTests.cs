using QazBus.Contracts;
using QazBus.Schemas.Compatibility;

namespace QazBus.Schemas.Tests.Compatibility;

#pragma warning disable CA1034 // Nested types keep each pair together and named by its change.

public static class PersonalDataMarked
{
    [Contract("test.change.personal-data", 1)]
    public sealed record Before
    {
        public required string Iin { get; init; }

        public required Place Address { get; init; }
    }

    [Contract("test.change.personal-data", 1)]
    public sealed record After
    {
        [PersonalData]
        public required string Iin { get; init; }

        public required MarkedPlace Address { get; init; }
    }

    public sealed record Place
    {
        public required string Street { get; init; }
    }

    public sealed record MarkedPlace
    {
        [PersonalData]
        public required string Street { get; init; }
    }
}

public sealed class PersonalDataChangeTests
{
    [Fact]
    public void Marking_fields_as_personal_data_is_compatible_at_any_depth()
    {
        var findings = Changes.Between<PersonalDataMarked.Before, PersonalDataMarked.After>();

        Assert.False(findings.Any(f => f.IsBreaking), Changes.Describe(findings));
        Assert.All(findings, f => Assert.Equal(CompatibilityRule.PersonalDataMarked, f.Rule));
        Assert.Equal(["iin", "address.street"], findings.Select(f => f.Field));
        Assert.Equal("field 'iin' is now marked as personal data", findings[0].Message);
    }

    [Fact]
    public void Removing_the_mark_is_compatible_but_flagged_for_review()
    {
        var findings = Changes.Between<PersonalDataMarked.After, PersonalDataMarked.Before>();

        Assert.False(findings.Any(f => f.IsBreaking), Changes.Describe(findings));
        var finding = Assert.Single(findings, f => f.Field == "iin");
        Assert.Equal(CompatibilityRule.PersonalDataUnmarked, finding.Rule);
        Assert.Contains("no longer marked as personal data", finding.Message, StringComparison.Ordinal);
        Assert.Contains("make sure it really holds none", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_rules_are_not_breaking()
    {
        Assert.False(SchemaCompatibility.IsBreaking(CompatibilityRule.PersonalDataMarked));
        Assert.False(SchemaCompatibility.IsBreaking(CompatibilityRule.PersonalDataUnmarked));
    }
}
