using QazBus.Contracts;
using QazBus.Schemas.Compatibility;

namespace QazBus.Schemas.Tests.Compatibility;

/// <summary>Compares the generated schemas of a Before/After pair, as the gate does with a baseline and the code.</summary>
internal static class Changes
{
    public static IReadOnlyList<CompatibilityFinding> Between<TBefore, TAfter>()
    {
        var before = ContractDescriptor.For(typeof(TBefore));
        var after = ContractDescriptor.For(typeof(TAfter));
        Assert.Equal((before.Name, before.MajorVersion), (after.Name, after.MajorVersion));
        return SchemaCompatibility.Compare(
            after.Name,
            after.MajorVersion,
            ContractSchemaGenerator.Generate(before),
            ContractSchemaGenerator.Generate(after));
    }

    public static CompatibilityFinding Single(IReadOnlyList<CompatibilityFinding> findings, CompatibilityRule rule)
    {
        var matching = findings.Where(f => f.Rule == rule).ToList();
        Assert.True(matching.Count == 1, $"Expected one {rule} finding, got: {Describe(findings)}");
        return matching[0];
    }

    public static string Describe(IEnumerable<CompatibilityFinding> findings) =>
        string.Join("; ", findings.Select(f => $"{f.Rule} {f.Message}"));
}
