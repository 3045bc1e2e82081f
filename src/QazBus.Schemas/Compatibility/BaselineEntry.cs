namespace QazBus.Schemas.Compatibility;

/// <summary>One contract version checked against its committed schema.</summary>
/// <param name="Contract">The contract name (for an unreadable file: the file name).</param>
/// <param name="Version">The major version (0 when the file name does not say).</param>
/// <param name="FilePath">The committed schema's full path, whether or not it exists.</param>
/// <param name="Status">The verdict.</param>
/// <param name="Findings">What changed, breaking or not; for a missing, removed or unreadable baseline, one finding saying so.</param>
/// <param name="GeneratedSchema">The schema generated from code, in committed form; null when the contract is no longer in code.</param>
public sealed record BaselineEntry(
    string Contract,
    int Version,
    string FilePath,
    BaselineStatus Status,
    IReadOnlyList<CompatibilityFinding> Findings,
    string? GeneratedSchema)
{
    /// <summary>True when this entry fails <c>qazbus contracts check</c>.</summary>
    public bool Fails => Status is BaselineStatus.Breaking or BaselineStatus.Missing or BaselineStatus.Removed or BaselineStatus.Unreadable;

    /// <summary>True when this entry stops <c>--update</c>: a baseline may be written only when nothing breaks.</summary>
    public bool BlocksUpdate => Status is BaselineStatus.Breaking or BaselineStatus.Removed or BaselineStatus.Unreadable;

    /// <summary>True when <c>--update</c> would write this entry's baseline.</summary>
    public bool NeedsWrite => Status is BaselineStatus.CompatibleChange or BaselineStatus.DraftChange or BaselineStatus.Missing;
}
