namespace QazBus.Schemas.Registry;

/// <summary>The life-cycle states of a contract version.</summary>
public static class ContractVersionStatuses
{
    /// <summary>
    /// Under review, not yet published: the record is marked <c>[ContractDraft]</c> (the registry and the code must
    /// agree), its schema may still change, and only buses with <c>QazBus:AllowDraftContracts</c> carry it. No sunset.
    /// </summary>
    public const string Draft = "draft";

    /// <summary>Published and subscribable.</summary>
    public const string Active = "active";

    /// <summary>Still published until its sunset date; subscribers should move to a newer version.</summary>
    public const string Deprecated = "deprecated";

    /// <summary>No longer published; nobody may subscribe to it.</summary>
    public const string Retired = "retired";

    /// <summary>Every state.</summary>
    public static IReadOnlyList<string> All { get; } = [Draft, Active, Deprecated, Retired];
}
