using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using QazBus.Contracts;

namespace QazBus.Schemas.Compatibility;

/// <summary>
/// The compatibility gate: checks every contract in code against its committed schema,
/// <c>{schemas}/{name}.v{major}.schema.json</c>, and rewrites the committed schemas when nothing breaks.
/// </summary>
/// <remarks>
/// The committed schemas are the published standard. A contract in code without one is new and must be published
/// with <c>--update</c>; a committed schema without a contract in code means a published contract version
/// disappeared, which is breaking (keep the record and deprecate the version in the registry instead).
/// A draft (<c>[ContractDraft]</c> in code, and committed as a draft) may change in any way: each change is reported,
/// none breaks, and <c>--update</c> rewrites its schema. Once the mark is removed the normal rules apply, and a version
/// committed without the mark cannot be marked draft again.
/// </remarks>
public static partial class SchemaBaselines
{
    /// <summary>The ending of every committed schema file.</summary>
    public const string FileSuffix = ".schema.json";

    [GeneratedRegex(@"^(?<name>.+)\.v(?<version>[1-9][0-9]*)\.schema\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNameRegex();

    /// <summary>The committed schema's file name for a contract version: <c>{name}.v{major}.schema.json</c>.</summary>
    public static string FileName(string contract, int majorVersion) => $"{contract}.v{majorVersion}{FileSuffix}";

    /// <summary>The committed schema's file name for a contract version: <c>{name}.v{major}.schema.json</c>.</summary>
    public static string FileName(ContractDescriptor contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return FileName(contract.Name, contract.MajorVersion);
    }

    /// <summary>Checks <paramref name="contracts"/> against the committed schemas in <paramref name="schemasDirectory"/>.</summary>
    public static BaselineReport Check(IReadOnlyList<ContractDescriptor> contracts, string schemasDirectory)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        ArgumentException.ThrowIfNullOrEmpty(schemasDirectory);
        var directory = Path.GetFullPath(schemasDirectory);
        var entries = contracts.Select(contract => CheckContract(contract, directory)).ToList();

        var expected = contracts.Select(FileName).ToHashSet(StringComparer.Ordinal);
        IEnumerable<string> orphans = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*" + FileSuffix)
                .Where(file => !expected.Contains(Path.GetFileName(file)))
                .Order(StringComparer.Ordinal)
            : [];
        entries.AddRange(orphans.Select(CheckOrphan));
        return new BaselineReport(directory, entries);
    }

    /// <summary>Writes the committed schema of every new or compatibly changed contract in <paramref name="report"/>.</summary>
    /// <returns>The entries written.</returns>
    /// <exception cref="InvalidOperationException">The report has a breaking change, a removed contract or an unreadable file.</exception>
    public static IReadOnlyList<BaselineEntry> Update(BaselineReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!report.CanUpdate)
        {
            throw new InvalidOperationException(
                "The committed schemas are not rewritten while a change breaks them: a breaking change needs a new major version.");
        }

        var written = report.Entries.Where(entry => entry.NeedsWrite).ToList();
        if (written.Count > 0)
        {
            Directory.CreateDirectory(report.SchemasDirectory);
        }

        foreach (var entry in written)
        {
            File.WriteAllText(entry.FilePath, entry.GeneratedSchema, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }

        return written;
    }

    private static BaselineEntry CheckContract(ContractDescriptor contract, string directory)
    {
        var file = Path.Combine(directory, FileName(contract));
        var generatedText = ContractSchemaGenerator.GenerateText(contract);
        if (!File.Exists(file))
        {
            var missing = Finding(contract.Name, contract.MajorVersion, CompatibilityRule.BaselineMissing,
                "has no committed schema yet (a new contract?): run 'qazbus contracts check --update' to publish it");
            return new BaselineEntry(contract.Name, contract.MajorVersion, file, BaselineStatus.Missing, [missing], generatedText);
        }

        var committedText = File.ReadAllText(file);
        JsonNode committed;
        try
        {
            committed = SchemaJson.Parse(committedText);
        }
        catch (JsonException exception)
        {
            var line = exception.LineNumber is { } zeroBased ? $" at line {(zeroBased + 1).ToString(CultureInfo.InvariantCulture)}" : string.Empty;
            var unreadable = Finding(contract.Name, contract.MajorVersion, CompatibilityRule.BaselineUnreadable,
                $"has a committed schema that is not valid JSON{line}: restore it from version control");
            return new BaselineEntry(contract.Name, contract.MajorVersion, file, BaselineStatus.Unreadable, [unreadable], generatedText);
        }

        var findings = SchemaCompatibility.Compare(contract.Name, contract.MajorVersion, committed, SchemaJson.Parse(generatedText));
        if (SchemaJson.SameText(committedText, generatedText))
        {
            return new BaselineEntry(contract.Name, contract.MajorVersion, file, BaselineStatus.UpToDate, findings, generatedText);
        }

        // A draft committed as a draft has no consumers to break yet: any change is a draft change. The committed
        // mark matters as much as the code's: a version published without it cannot be reopened (DraftReopened).
        if (contract.IsDraft && committed is JsonObject committedSchema && SchemaCompatibility.IsDraft(committedSchema))
        {
            var draftFindings = findings.Select(finding => finding with { IsBreaking = false }).ToList();
            return new BaselineEntry(contract.Name, contract.MajorVersion, file, BaselineStatus.DraftChange, draftFindings, generatedText);
        }

        var status = findings.Any(finding => finding.IsBreaking) ? BaselineStatus.Breaking : BaselineStatus.CompatibleChange;
        return new BaselineEntry(contract.Name, contract.MajorVersion, file, status, findings, generatedText);
    }

    private static BaselineEntry CheckOrphan(string file)
    {
        var fileName = Path.GetFileName(file);
        var match = FileNameRegex().Match(fileName);
        if (!match.Success)
        {
            var unreadable = Finding(fileName, 0, CompatibilityRule.BaselineUnreadable,
                "is not named {contract}.v{major}.schema.json: rename or remove it");
            return new BaselineEntry(fileName, 0, file, BaselineStatus.Unreadable, [unreadable], null);
        }

        var name = match.Groups["name"].Value;
        var version = int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture);
        var removed = Finding(name, version, CompatibilityRule.ContractRemoved,
            $"has a committed schema ({fileName}) but no record in code: a published contract version cannot disappear; restore the record, and deprecate the version in the registry instead");
        return new BaselineEntry(name, version, file, BaselineStatus.Removed, [removed], null);
    }

    private static CompatibilityFinding Finding(string contract, int version, CompatibilityRule rule, string message) =>
        new(contract, version, "/", string.Empty, rule, message, SchemaCompatibility.IsBreaking(rule));
}
