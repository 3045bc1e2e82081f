using System.Text.Json.Nodes;
using QazBus.Schemas.Compatibility;

namespace QazBus.Schemas.Tests.Compatibility;

public sealed class CompatibleChangeTests
{
    private static void AllCompatible(IReadOnlyList<CompatibilityFinding> findings)
    {
        Assert.NotEmpty(findings);
        Assert.False(findings.Any(f => f.IsBreaking), Changes.Describe(findings));
    }

    [Fact]
    public void New_optional_fields_pass_at_the_top_and_in_nested_objects()
    {
        var findings = Changes.Between<OptionalFieldAdded.Before, OptionalFieldAdded.After>();

        AllCompatible(findings);
        Assert.All(findings, f => Assert.Equal(CompatibilityRule.OptionalFieldAdded, f.Rule));
        Assert.Equal(["address.postalCode", "patronymic", "flat"], findings.Select(f => f.Field));
        Assert.Equal("field 'patronymic' was added (optional)", findings[1].Message);
    }

    [Fact]
    public void A_widened_enum_passes_and_reminds_that_consumers_must_tolerate_unknown_values()
    {
        var findings = Changes.Between<EnumWidened.Before, EnumWidened.After>();

        AllCompatible(findings);
        var finding = Changes.Single(findings, CompatibilityRule.EnumValueAdded);
        Assert.Contains("\"correction\"", finding.Message, StringComparison.Ordinal);
        Assert.Contains("tolerate", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Description_changes_pass()
    {
        var findings = Changes.Between<DescriptionChanged.Before, DescriptionChanged.After>();

        AllCompatible(findings);
        Assert.All(findings, f => Assert.Equal(CompatibilityRule.DescriptionChanged, f.Rule));
        Assert.Equal(["", "iin", "fullName"], findings.Select(f => f.Field));
    }

    [Fact]
    public void Relaxed_limits_and_a_removed_pattern_pass()
    {
        var findings = Changes.Between<ConstraintsRelaxed.Before, ConstraintsRelaxed.After>();

        AllCompatible(findings);
        Assert.Contains(findings, f => f.Rule == CompatibilityRule.PatternRemoved && f.Field == "postalCode");
        Assert.Contains(findings, f => f.Rule == CompatibilityRule.LimitRelaxed && f.Field == "street" && f.Message.Contains("at most 200", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Rule == CompatibilityRule.LimitRelaxed && f.Field == "street" && f.Message.Contains("no lower limit", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Rule == CompatibilityRule.LimitRelaxed && f.Field == "rooms");
    }

    [Fact]
    public void Lifting_an_enum_to_a_free_string_passes()
    {
        var findings = Changes.Between<EnumLifted.Before, EnumLifted.After>();

        AllCompatible(findings);
        Changes.Single(findings, CompatibilityRule.EnumLifted);
    }

    [Fact]
    public void Deprecating_a_version_passes_and_is_reported()
    {
        var findings = Changes.Between<Deprecated.Before, Deprecated.After>();

        AllCompatible(findings);
        var finding = Changes.Single(findings, CompatibilityRule.DeprecationChanged);
        Assert.Equal("the contract version is now deprecated, sunset 2030-01-31", finding.Message);
    }

    [Fact]
    public void An_unchanged_contract_has_no_findings_even_with_nested_and_recursive_types()
    {
        Assert.Empty(Changes.Between<Unchanged.Before, Unchanged.After>());
    }

    [Fact]
    public void A_baseline_that_uses_defs_and_refs_equals_the_same_schema_written_inline()
    {
        var withDefs = JsonNode.Parse("""
            {
              "type": "object",
              "properties": { "home": { "$ref": "#/$defs/address" }, "work": { "$ref": "#/$defs/address" } },
              "required": ["home"],
              "$defs": { "address": { "type": "object", "properties": { "street": { "type": "string", "maxLength": 200 } }, "required": ["street"] } }
            }
            """)!;
        var inline = JsonNode.Parse("""
            {
              "type": "object",
              "properties": {
                "home": { "type": "object", "properties": { "street": { "type": "string", "maxLength": 200 } }, "required": ["street"] },
                "work": { "type": "object", "properties": { "street": { "type": "string", "maxLength": 200 } }, "required": ["street"] }
              },
              "required": ["home"]
            }
            """)!;

        Assert.Empty(SchemaCompatibility.Compare("test.change.defs", 1, withDefs, inline));

        var narrowed = inline.DeepClone();
        narrowed["properties"]!["work"]!["properties"]!["street"]!["maxLength"] = 100;
        var finding = Assert.Single(SchemaCompatibility.Compare("test.change.defs", 1, withDefs, narrowed));
        Assert.Equal(CompatibilityRule.LimitTightened, finding.Rule);
        Assert.Equal("work.street", finding.Field);
    }
}
