using System.Text.Json.Nodes;
using QazBus.Schemas.Compatibility;

namespace QazBus.Schemas.Tests.Compatibility;

public sealed class BreakingChangeTests
{
    private static CompatibilityFinding Breaking(IReadOnlyList<CompatibilityFinding> findings, CompatibilityRule rule)
    {
        var finding = Changes.Single(findings, rule);
        Assert.True(finding.IsBreaking, $"{rule} must be breaking");
        return finding;
    }

    [Fact]
    public void A_removed_field_is_breaking()
    {
        var finding = Breaking(Changes.Between<FieldRemoved.Before, FieldRemoved.After>(), CompatibilityRule.FieldRemoved);

        Assert.Equal("fullName", finding.Field);
        Assert.Equal("/properties/fullName", finding.Path);
        Assert.Equal("test.change.field-removed", finding.Contract);
        Assert.Equal(1, finding.Version);
        Assert.Equal("field 'fullName' was removed", finding.Message);
    }

    [Fact]
    public void A_renamed_field_is_reported_as_removed_and_names_the_added_field_as_the_likely_new_name()
    {
        var findings = Changes.Between<FieldRenamed.Before, FieldRenamed.After>();

        var removed = Breaking(findings, CompatibilityRule.FieldRemoved);
        Assert.Equal("fullName", removed.Field);
        // 'flat' was added too, but is a number: only the string 'name' is offered as the rename.
        Assert.Contains("renamed to 'name'?", removed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'flat'", removed.Message, StringComparison.Ordinal);
        Assert.Equal("name", Breaking(findings, CompatibilityRule.RequiredFieldAdded).Field);
    }

    [Fact]
    public void A_changed_type_is_breaking()
    {
        var finding = Breaking(Changes.Between<TypeChanged.Before, TypeChanged.After>(), CompatibilityRule.TypeChanged);

        Assert.Equal("field 'count' changed type from string to integer", finding.Message);
    }

    [Fact]
    public void A_date_that_became_an_instant_is_breaking_and_says_so_in_plain_words()
    {
        var finding = Breaking(Changes.Between<DateBecameInstant.Before, DateBecameInstant.After>(), CompatibilityRule.FormatChanged);

        Assert.Equal("birthDate", finding.Field);
        Assert.Equal("field 'birthDate' changed type from string(date) to string(date-time)", finding.Message);
    }

    [Fact]
    public void A_format_added_to_a_plain_string_is_breaking()
    {
        var finding = Breaking(Changes.Between<FormatAdded.Before, FormatAdded.After>(), CompatibilityRule.FormatAdded);

        Assert.Equal("field 'validFrom' changed type from string to string(date)", finding.Message);
    }

    [Fact]
    public void A_format_removed_is_breaking_because_consumers_parse_the_value()
    {
        Breaking(Changes.Between<FormatRemoved.Before, FormatRemoved.After>(), CompatibilityRule.FormatRemoved);
    }

    [Fact]
    public void A_field_that_no_longer_allows_null_is_breaking()
    {
        var finding = Breaking(Changes.Between<NullNoLongerAllowed.Before, NullNoLongerAllowed.After>(), CompatibilityRule.NullNoLongerAllowed);

        Assert.Equal("field 'postalCode' no longer allows null", finding.Message);
    }

    [Fact]
    public void A_field_that_starts_allowing_null_is_breaking_for_consumers_promised_a_value()
    {
        Breaking(Changes.Between<NullNowAllowed.Before, NullNowAllowed.After>(), CompatibilityRule.NullNowAllowed);
    }

    [Fact]
    public void An_optional_field_that_became_required_is_breaking()
    {
        var findings = Changes.Between<FieldBecameRequired.Before, FieldBecameRequired.After>();

        var finding = Breaking(findings, CompatibilityRule.FieldBecameRequired);
        Assert.Equal("patronymic", finding.Field);
        Assert.Single(findings);
    }

    [Fact]
    public void A_new_required_field_is_breaking()
    {
        var finding = Breaking(Changes.Between<RequiredFieldAdded.Before, RequiredFieldAdded.After>(), CompatibilityRule.RequiredFieldAdded);

        Assert.Equal("citizenship", finding.Field);
    }

    [Fact]
    public void A_required_field_that_became_optional_is_breaking_for_consumers_relying_on_it()
    {
        Breaking(Changes.Between<FieldNoLongerRequired.Before, FieldNoLongerRequired.After>(), CompatibilityRule.FieldNoLongerRequired);
    }

    [Fact]
    public void A_narrowed_enum_is_breaking_and_names_the_removed_value()
    {
        var finding = Breaking(Changes.Between<EnumNarrowed.Before, EnumNarrowed.After>(), CompatibilityRule.EnumValueRemoved);

        Assert.Equal("field 'kind' no longer allows the value \"restoration\"", finding.Message);
    }

    [Fact]
    public void A_free_string_restricted_to_an_enum_is_breaking()
    {
        Breaking(Changes.Between<EnumIntroduced.Before, EnumIntroduced.After>(), CompatibilityRule.EnumIntroduced);
    }

    [Fact]
    public void An_added_pattern_is_breaking()
    {
        var finding = Breaking(Changes.Between<PatternAdded.Before, PatternAdded.After>(), CompatibilityRule.PatternAdded);

        Assert.Equal(@"field 'iin' must now match the pattern ^\d{12}$", finding.Message);
    }

    [Fact]
    public void A_changed_pattern_is_breaking()
    {
        Breaking(Changes.Between<PatternChanged.Before, PatternChanged.After>(), CompatibilityRule.PatternChanged);
    }

    [Fact]
    public void A_lowered_max_length_is_breaking()
    {
        var finding = Breaking(Changes.Between<MaxLengthLowered.Before, MaxLengthLowered.After>(), CompatibilityRule.LimitTightened);

        Assert.Equal("field 'fullName' changed its limit from at most 300 characters to at most 200 characters", finding.Message);
    }

    [Fact]
    public void A_raised_min_length_is_breaking()
    {
        var finding = Breaking(Changes.Between<MinLengthRaised.Before, MinLengthRaised.After>(), CompatibilityRule.LimitTightened);

        Assert.Equal("field 'fullName' changed its limit from at least 1 character to at least 3 characters", finding.Message);
    }

    [Fact]
    public void An_added_max_length_is_breaking()
    {
        var finding = Breaking(Changes.Between<MaxLengthAdded.Before, MaxLengthAdded.After>(), CompatibilityRule.LimitTightened);

        Assert.Contains("from no upper limit to at most 100 characters", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lowered_maximum_is_breaking()
    {
        Breaking(Changes.Between<MaximumLowered.Before, MaximumLowered.After>(), CompatibilityRule.LimitTightened);
    }

    [Fact]
    public void A_field_removed_inside_a_nested_object_is_breaking_and_named_by_its_path()
    {
        var finding = Breaking(Changes.Between<NestedFieldRemoved.Before, NestedFieldRemoved.After>(), CompatibilityRule.FieldRemoved);

        Assert.Equal("newAddress.street", finding.Field);
        Assert.Equal("/properties/newAddress/properties/street", finding.Path);
    }

    [Fact]
    public void A_change_inside_array_items_is_breaking_and_named_by_its_path()
    {
        var finding = Breaking(Changes.Between<ArrayItemChanged.Before, ArrayItemChanged.After>(), CompatibilityRule.FormatRemoved);

        Assert.Equal("children[].birthDate", finding.Field);
        Assert.Equal("/properties/children/items/properties/birthDate", finding.Path);
    }

    [Fact]
    public void An_array_that_became_a_single_value_is_breaking()
    {
        var finding = Breaking(Changes.Between<ArrayBecameSingle.Before, ArrayBecameSingle.After>(), CompatibilityRule.TypeChanged);

        Assert.Equal("field 'phones' changed type from array to string", finding.Message);
    }

    [Fact]
    public void Refusing_unknown_fields_is_breaking()
    {
        Breaking(Changes.Between<AdditionalPropertiesClosed.Before, AdditionalPropertiesClosed.After>(), CompatibilityRule.AdditionalPropertiesClosed);
    }

    [Fact]
    public void A_change_inside_a_recursive_type_is_found_through_its_references()
    {
        var findings = Changes.Between<RecursiveTypeChanged.Before, RecursiveTypeChanged.After>();

        var changed = findings.Where(f => f.Rule == CompatibilityRule.TypeChanged).Select(f => f.Field).ToList();
        Assert.Contains("root.code", changed);
        Assert.Contains("parent.code", changed);
        Assert.All(findings, f => Assert.True(f.IsBreaking));
    }

    [Fact]
    public void Changed_alternatives_are_breaking()
    {
        var before = JsonNode.Parse("""{"type":"object","properties":{"id":{"anyOf":[{"type":"string"},{"type":"integer"}]}}}""")!;
        var after = JsonNode.Parse("""{"type":"object","properties":{"id":{"anyOf":[{"type":"string"}]}}}""")!;

        var findings = SchemaCompatibility.Compare("test.change.any-of", 1, before, after);

        Breaking(findings, CompatibilityRule.CompositionChanged);
    }
}
