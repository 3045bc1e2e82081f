namespace QazBus.Schemas.Compatibility;

/// <summary>Every contract version in code and every committed schema, checked against each other.</summary>
/// <param name="SchemasDirectory">The directory of the committed schemas.</param>
/// <param name="Entries">One entry per contract version in code, then one per committed schema without code.</param>
public sealed record BaselineReport(string SchemasDirectory, IReadOnlyList<BaselineEntry> Entries)
{
    /// <summary>True when <c>qazbus contracts check</c> passes: nothing breaks and every contract has a committed schema.</summary>
    public bool Passed => !Entries.Any(entry => entry.Fails);

    /// <summary>True when <c>--update</c> may write: no breaking change, removed contract or unreadable file.</summary>
    public bool CanUpdate => !Entries.Any(entry => entry.BlocksUpdate);

    /// <summary>The breaking findings of all entries.</summary>
    public IEnumerable<CompatibilityFinding> BreakingFindings => Entries.SelectMany(entry => entry.Findings).Where(finding => finding.IsBreaking);
}
