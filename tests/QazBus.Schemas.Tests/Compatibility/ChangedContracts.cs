using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using QazBus.Contracts;

namespace QazBus.Schemas.Tests.Compatibility;

// Pairs of one contract version as published (Before) and as changed in code (After), built for the tests.
// Both sides of a pair declare the same name and version, as the real record would before and after an edit.
#pragma warning disable CA1034 // Nested types keep each pair together and named by its change.

public static class FieldRemoved
{
    [Contract("test.change.field-removed", 1)]
    public sealed record Before
    {
        public required string Iin { get; init; }

        public required string FullName { get; init; }
    }

    [Contract("test.change.field-removed", 1)]
    public sealed record After
    {
        public required string Iin { get; init; }
    }
}

public static class FieldRenamed
{
    [Contract("test.change.field-renamed", 1)]
    public sealed record Before
    {
        public required string FullName { get; init; }

        public required DateOnly BirthDate { get; init; }
    }

    [Contract("test.change.field-renamed", 1)]
    public sealed record After
    {
        public required string Name { get; init; }

        public required DateOnly BirthDate { get; init; }

        public int? Flat { get; init; }
    }
}

public static class TypeChanged
{
    [Contract("test.change.type-changed", 1)]
    public sealed record Before
    {
        public required string Count { get; init; }
    }

    [Contract("test.change.type-changed", 1)]
    public sealed record After
    {
        public required int Count { get; init; }
    }
}

public static class DateBecameInstant
{
    [Contract("test.change.date-became-instant", 1)]
    public sealed record Before
    {
        public required DateOnly BirthDate { get; init; }
    }

    [Contract("test.change.date-became-instant", 1)]
    public sealed record After
    {
        public required DateTimeOffset BirthDate { get; init; }
    }
}

public static class FormatAdded
{
    [Contract("test.change.format-added", 1)]
    public sealed record Before
    {
        public required string ValidFrom { get; init; }
    }

    [Contract("test.change.format-added", 1)]
    public sealed record After
    {
        public required DateOnly ValidFrom { get; init; }
    }
}

public static class FormatRemoved
{
    [Contract("test.change.format-removed", 1)]
    public sealed record Before
    {
        public required Guid CaseId { get; init; }
    }

    [Contract("test.change.format-removed", 1)]
    public sealed record After
    {
        public required string CaseId { get; init; }
    }
}

public static class NullNoLongerAllowed
{
    [Contract("test.change.null-no-longer-allowed", 1)]
    public sealed record Before
    {
        public string? PostalCode { get; init; }
    }

    [Contract("test.change.null-no-longer-allowed", 1)]
    public sealed record After
    {
        public string PostalCode { get; init; } = string.Empty;
    }
}

public static class NullNowAllowed
{
    [Contract("test.change.null-now-allowed", 1)]
    public sealed record Before
    {
        public required string Region { get; init; }
    }

    [Contract("test.change.null-now-allowed", 1)]
    public sealed record After
    {
        public required string? Region { get; init; }
    }
}

public static class FieldBecameRequired
{
    [Contract("test.change.field-became-required", 1)]
    public sealed record Before
    {
        public string? Patronymic { get; init; }
    }

    [Contract("test.change.field-became-required", 1)]
    public sealed record After
    {
        public required string? Patronymic { get; init; }
    }
}

public static class RequiredFieldAdded
{
    [Contract("test.change.required-field-added", 1)]
    public sealed record Before
    {
        public required string Iin { get; init; }
    }

    [Contract("test.change.required-field-added", 1)]
    public sealed record After
    {
        public required string Iin { get; init; }

        public required string Citizenship { get; init; }
    }
}

public static class FieldNoLongerRequired
{
    [Contract("test.change.field-no-longer-required", 1)]
    public sealed record Before
    {
        public required string? Patronymic { get; init; }
    }

    [Contract("test.change.field-no-longer-required", 1)]
    public sealed record After
    {
        public string? Patronymic { get; init; }
    }
}

public enum KindBefore
{
    Birth,
    Immigration,
    Restoration,
}

public enum KindAfter
{
    Birth,
    Immigration,
}

public enum KindWidened
{
    Birth,
    Immigration,
    Restoration,
    Correction,
}

public static class EnumNarrowed
{
    [Contract("test.change.enum-narrowed", 1)]
    public sealed record Before
    {
        public required KindBefore Kind { get; init; }
    }

    [Contract("test.change.enum-narrowed", 1)]
    public sealed record After
    {
        public required KindAfter Kind { get; init; }
    }
}

public static class EnumIntroduced
{
    [Contract("test.change.enum-introduced", 1)]
    public sealed record Before
    {
        public required string Kind { get; init; }
    }

    [Contract("test.change.enum-introduced", 1)]
    public sealed record After
    {
        public required KindBefore Kind { get; init; }
    }
}

public static class PatternAdded
{
    [Contract("test.change.pattern-added", 1)]
    public sealed record Before
    {
        public required string Iin { get; init; }
    }

    [Contract("test.change.pattern-added", 1)]
    public sealed record After
    {
        [RegularExpression(@"^\d{12}$")]
        public required string Iin { get; init; }
    }
}

public static class PatternChanged
{
    [Contract("test.change.pattern-changed", 1)]
    public sealed record Before
    {
        [RegularExpression(@"^\d{6}$")]
        public required string PostalCode { get; init; }
    }

    [Contract("test.change.pattern-changed", 1)]
    public sealed record After
    {
        [RegularExpression(@"^[A-Z]\d{5}$")]
        public required string PostalCode { get; init; }
    }
}

public static class MaxLengthLowered
{
    [Contract("test.change.max-length-lowered", 1)]
    public sealed record Before
    {
        [StringLength(300)]
        public required string FullName { get; init; }
    }

    [Contract("test.change.max-length-lowered", 1)]
    public sealed record After
    {
        [StringLength(200)]
        public required string FullName { get; init; }
    }
}

public static class MinLengthRaised
{
    [Contract("test.change.min-length-raised", 1)]
    public sealed record Before
    {
        [StringLength(300, MinimumLength = 1)]
        public required string FullName { get; init; }
    }

    [Contract("test.change.min-length-raised", 1)]
    public sealed record After
    {
        [StringLength(300, MinimumLength = 3)]
        public required string FullName { get; init; }
    }
}

public static class MaxLengthAdded
{
    [Contract("test.change.max-length-added", 1)]
    public sealed record Before
    {
        public required string Street { get; init; }
    }

    [Contract("test.change.max-length-added", 1)]
    public sealed record After
    {
        [MaxLength(100)]
        public required string Street { get; init; }
    }
}

public static class MaximumLowered
{
    [Contract("test.change.maximum-lowered", 1)]
    public sealed record Before
    {
        [Range(1, 100)]
        public required int Rooms { get; init; }
    }

    [Contract("test.change.maximum-lowered", 1)]
    public sealed record After
    {
        [Range(1, 20)]
        public required int Rooms { get; init; }
    }
}

public static class NestedFieldRemoved
{
    public sealed record AddressBefore
    {
        public required string Region { get; init; }

        public required string Street { get; init; }
    }

    public sealed record AddressAfter
    {
        public required string Region { get; init; }
    }

    [Contract("test.change.nested-field-removed", 1)]
    public sealed record Before
    {
        public required AddressBefore NewAddress { get; init; }
    }

    [Contract("test.change.nested-field-removed", 1)]
    public sealed record After
    {
        public required AddressAfter NewAddress { get; init; }
    }
}

public static class ArrayItemChanged
{
    public sealed record ChildBefore
    {
        public required DateOnly BirthDate { get; init; }
    }

    public sealed record ChildAfter
    {
        public required string BirthDate { get; init; }
    }

    [Contract("test.change.array-item-changed", 1)]
    public sealed record Before
    {
        public required IReadOnlyList<ChildBefore> Children { get; init; }
    }

    [Contract("test.change.array-item-changed", 1)]
    public sealed record After
    {
        public required IReadOnlyList<ChildAfter> Children { get; init; }
    }
}

public static class ArrayBecameSingle
{
    [Contract("test.change.array-became-single", 1)]
    public sealed record Before
    {
        public required IReadOnlyList<string> Phones { get; init; }
    }

    [Contract("test.change.array-became-single", 1)]
    public sealed record After
    {
        public required string Phones { get; init; }
    }
}

public static class AdditionalPropertiesClosed
{
    [Contract("test.change.additional-properties-closed", 1)]
    public sealed record Before
    {
        public required string Iin { get; init; }
    }

    [Contract("test.change.additional-properties-closed", 1)]
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record After
    {
        public required string Iin { get; init; }
    }
}

public static class RecursiveTypeChanged
{
    public sealed record NodeBefore
    {
        public required string Code { get; init; }

        public IReadOnlyList<NodeBefore> Children { get; init; } = [];
    }

    public sealed record NodeAfter
    {
        public required int Code { get; init; }

        public IReadOnlyList<NodeAfter> Children { get; init; } = [];
    }

    [Contract("test.change.recursive-type-changed", 1)]
    public sealed record Before
    {
        public required NodeBefore Root { get; init; }

        public NodeBefore? Parent { get; init; }
    }

    [Contract("test.change.recursive-type-changed", 1)]
    public sealed record After
    {
        public required NodeAfter Root { get; init; }

        public NodeAfter? Parent { get; init; }
    }
}

// Compatible changes.

public static class OptionalFieldAdded
{
    public sealed record AddressBefore
    {
        public required string Region { get; init; }
    }

    public sealed record AddressAfter
    {
        public required string Region { get; init; }

        public string? PostalCode { get; init; }
    }

    [Contract("test.change.optional-field-added", 1)]
    public sealed record Before
    {
        public required string Iin { get; init; }

        public required AddressBefore Address { get; init; }
    }

    [Contract("test.change.optional-field-added", 1)]
    public sealed record After
    {
        public required string Iin { get; init; }

        public required AddressAfter Address { get; init; }

        public string? Patronymic { get; init; }

        public int? Flat { get; init; }
    }
}

public static class EnumWidened
{
    [Contract("test.change.enum-widened", 1)]
    public sealed record Before
    {
        public required KindBefore Kind { get; init; }
    }

    [Contract("test.change.enum-widened", 1)]
    public sealed record After
    {
        public required KindWidened Kind { get; init; }
    }
}

public static class DescriptionChanged
{
    [Contract("test.change.description-changed", 1)]
    [Description("A citizen was registered.")]
    public sealed record Before
    {
        [Description("IIN.")]
        public required string Iin { get; init; }

        public required string FullName { get; init; }
    }

    [Contract("test.change.description-changed", 1)]
    [Description("The population registry registered a citizen.")]
    public sealed record After
    {
        [Description("Individual identification number (IIN), 12 digits.")]
        public required string Iin { get; init; }

        [Description("Full name as registered.")]
        public required string FullName { get; init; }
    }
}

public static class ConstraintsRelaxed
{
    [Contract("test.change.constraints-relaxed", 1)]
    public sealed record Before
    {
        [StringLength(100, MinimumLength = 2)]
        public required string Street { get; init; }

        [RegularExpression(@"^\d{6}$")]
        public required string PostalCode { get; init; }

        [Range(1, 20)]
        public required int Rooms { get; init; }
    }

    [Contract("test.change.constraints-relaxed", 1)]
    public sealed record After
    {
        [StringLength(200)]
        public required string Street { get; init; }

        public required string PostalCode { get; init; }

        [Range(0, 100)]
        public required int Rooms { get; init; }
    }
}

public static class EnumLifted
{
    [Contract("test.change.enum-lifted", 1)]
    public sealed record Before
    {
        public required KindBefore Kind { get; init; }
    }

    [Contract("test.change.enum-lifted", 1)]
    public sealed record After
    {
        public required string Kind { get; init; }
    }
}

public static class Deprecated
{
    [Contract("test.change.deprecated", 1)]
    public sealed record Before
    {
        public required string Iin { get; init; }
    }

    [Contract("test.change.deprecated", 1)]
    [ContractDeprecated("2030-01-31", Replacement = "v2")]
    public sealed record After
    {
        public required string Iin { get; init; }
    }
}

public static class Unchanged
{
    [Contract("test.change.unchanged", 1)]
    public sealed record Before
    {
        public required string Iin { get; init; }

        public required NestedFieldRemoved.AddressBefore Address { get; init; }

        public IReadOnlyList<RecursiveTypeChanged.NodeBefore> Nodes { get; init; } = [];
    }

    [Contract("test.change.unchanged", 1)]
    public sealed record After
    {
        public required string Iin { get; init; }

        public required NestedFieldRemoved.AddressBefore Address { get; init; }

        public IReadOnlyList<RecursiveTypeChanged.NodeBefore> Nodes { get; init; } = [];
    }
}

/// <summary>
/// One version under review: as committed while a draft (DraftBefore), changed in a way that breaks a published
/// version while still a draft (DraftAfter), the same change with the draft mark removed (PublishedAfter), and the
/// committed shape without the mark (PublishedBefore), to publish or to reopen.
/// </summary>
public static class DraftChanged
{
    [Contract("test.change.draft", 1)]
    [ContractDraft]
    public sealed record DraftBefore
    {
        public required string Iin { get; init; }

        public required string Amount { get; init; }
    }

    [Contract("test.change.draft", 1)]
    [ContractDraft]
    public sealed record DraftAfter
    {
        public required string Iin { get; init; }

        public required decimal Amount { get; init; }

        public required DateOnly GrantedOn { get; init; }
    }

    [Contract("test.change.draft", 1)]
    public sealed record PublishedBefore
    {
        public required string Iin { get; init; }

        public required string Amount { get; init; }
    }

    [Contract("test.change.draft", 1)]
    public sealed record PublishedAfter
    {
        public required string Iin { get; init; }

        public required decimal Amount { get; init; }

        public required DateOnly GrantedOn { get; init; }
    }
}

#pragma warning restore CA1034
