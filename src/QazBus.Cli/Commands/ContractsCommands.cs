using QazBus.Contracts;
using QazBus.Schemas;
using QazBus.Schemas.Compatibility;

namespace QazBus.Cli.Commands;

/// <summary><c>qazbus contracts list | schema | check</c>: the contracts in code and the compatibility gate.</summary>
internal static class ContractsCommands
{
    /// <summary>Where the committed schemas live in the QazBus repository, found from the working directory upwards.</summary>
    public const string DefaultSchemasDirectory = "src/QazBus.Contracts/Schemas";

    public static Command Create(CliContext context) => CommandBuilder.Group(
        "contracts",
        "The contracts in code: list them, print their JSON Schemas, check them against the committed schemas.",
        CreateList(context),
        CreateSchema(context),
        CreateCheck(context));

    private static Option<string> SchemasDirectoryOption() =>
        CommandBuilder.RepositoryPathOption("--schemas-dir", "The directory of the committed schemas", DefaultSchemasDirectory, "DIR");

    private static Command CreateList(CliContext context) => CommandBuilder.Create(context, "list",
        "List the contracts in code: name, version, owner agency, exchange and committed schema file.",
        SchemasDirectoryOption(),
        schemasDir => List(context, schemasDir));

    private static Command CreateSchema(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The contract name, for example mju.population.citizen-registered." };
        var version = new Option<int?>("--version")
        {
            Description = "The major version. Default: the highest version in code.",
            HelpName = "N",
        };
        return CommandBuilder.Create(context, "schema",
            "Print the JSON Schema generated from a contract's record.",
            [name, version],
            parseResult => Schema(context, parseResult.GetValue(name)!, parseResult.GetValue(version)));
    }

    private static Command CreateCheck(CliContext context)
    {
        var update = new Option<bool>("--update")
        {
            Description = "Rewrite the committed schemas of new, compatibly changed and draft ([ContractDraft]) contracts. Refused while any change breaks a published version.",
        };
        var schemasDir = SchemasDirectoryOption();
        return CommandBuilder.Create(context, "check",
            "Compare every contract in code with its committed schema. Exit 0 when all are compatible, 1 on a breaking change, a missing or a removed schema.",
            [update, schemasDir],
            parseResult => Check(context, parseResult.GetValue(schemasDir), parseResult.GetValue(update)));
    }

    private static int List(CliContext context, string? schemasDirOption)
    {
        var contracts = context.Contracts();
        var schemasDir = schemasDirOption is null ? context.FindUpwards(DefaultSchemasDirectory) : context.Resolve(schemasDirOption);
        var table = Tables.Create("CONTRACT", "VERSION", "OWNER", "EXCHANGE", "SCHEMA FILE");
        foreach (var contract in contracts)
        {
            var file = SchemaBaselines.FileName(contract);
            var schemaFile = schemasDir is null
                ? file
                : File.Exists(Path.Combine(schemasDir, file))
                    ? context.Display(Path.Combine(schemasDir, file))
                    : $"{context.Display(Path.Combine(schemasDir, file))} (not committed)";
            table.AddPlainRow(contract.Name, "v" + contract.MajorVersion.ToString(CultureInfo.InvariantCulture), contract.Owner, contract.Exchange, schemaFile);
        }

        context.Console.WriteTable(table);
        return ExitCodes.Ok;
    }

    private static int Schema(CliContext context, string name, int? version)
    {
        context.Out.Write(ContractSchemaGenerator.GenerateText(Find(context, name, version)));
        return ExitCodes.Ok;
    }

    /// <summary>The contract version in code named on the command line; without a version, its highest.</summary>
    /// <exception cref="CliException">No contract has that name, or it has no such version (a usage error, naming what exists).</exception>
    public static ContractDescriptor Find(CliContext context, string name, int? version)
    {
        var contracts = context.Contracts();
        var versions = contracts.Where(c => c.Name == name).ToList();
        if (versions.Count == 0)
        {
            var known = contracts.Count == 0 ? "none" : string.Join(", ", contracts.Select(c => c.Name).Distinct());
            throw CliException.Usage($"no contract named '{name}' in code (known: {known})");
        }

        return version is null
            ? versions.MaxBy(c => c.MajorVersion)!
            : versions.FirstOrDefault(c => c.MajorVersion == version)
                ?? throw CliException.Usage(
                    $"contract '{name}' has no version {version} in code (versions: {string.Join(", ", versions.Select(c => c.MajorVersion))})");
    }

    private static int Check(CliContext context, string? schemasDirOption, bool update)
    {
        var schemasDir = SchemasDirectory(context, schemasDirOption, update);
        var contracts = context.Contracts();
        var report = SchemaBaselines.Check(contracts, schemasDir);
        context.Out.WriteLine($"Checking {Counts.Of(contracts.Count, "contract version")} against {context.Display(schemasDir)}");
        foreach (var entry in report.Entries)
        {
            Print(context, entry, contracts);
        }

        if (update)
        {
            return Update(context, report);
        }

        var stale = report.Entries.Count(entry => entry.Status is BaselineStatus.CompatibleChange or BaselineStatus.DraftChange);
        if (report.Passed)
        {
            var note = stale == 0 ? "match their committed schemas" : $"are compatible; {Counts.Of(stale, "committed schema")} can be updated with --update";
            context.Console.MarkupLine($"[green]OK[/]: {Counts.Of(contracts.Count, "contract version")} {Markup.Escape(note)}.");
            return ExitCodes.Ok;
        }

        context.Console.MarkupLine($"[red]FAILED[/]: {Markup.Escape(Summary(report))}.");
        return ExitCodes.Failed;
    }

    private static int Update(CliContext context, BaselineReport report)
    {
        if (!report.CanUpdate)
        {
            context.Console.MarkupLine(
                $"[red]REFUSED[/]: {Markup.Escape(Summary(report))}; --update does not rewrite committed schemas while a change breaks them. Add a new major version instead.");
            return ExitCodes.Failed;
        }

        var written = SchemaBaselines.Update(report);
        foreach (var entry in written)
        {
            var verb = entry.Status switch
            {
                BaselineStatus.Missing => "created",
                BaselineStatus.DraftChange => "updated (draft)",
                _ => "updated",
            };
            context.Out.WriteLine($"{verb} {context.Display(entry.FilePath)}");
        }

        context.Console.MarkupLine(written.Count == 0
            ? "[green]OK[/]: every committed schema is up to date."
            : $"[green]OK[/]: wrote {Markup.Escape(Counts.Of(written.Count, "committed schema"))}. Review and commit the changes.");
        return ExitCodes.Ok;
    }

    private static void Print(CliContext context, BaselineEntry entry, IReadOnlyList<ContractDescriptor> contracts)
    {
        var label = $"{entry.Contract} v{entry.Version.ToString(CultureInfo.InvariantCulture)}";
        var file = context.Display(entry.FilePath);
        switch (entry.Status)
        {
            case BaselineStatus.UpToDate:
                Line(context, "green", "ok", label);
                return;
            case BaselineStatus.Missing:
                Line(context, "red", "MISSING", $"{label}: no committed schema {file} — a new contract? Run 'qazbus contracts check --update' to publish it");
                return;
            case BaselineStatus.Removed:
                Line(context, "red", "BREAKING", $"{label}: the committed schema {file} has no record in code — a published contract version cannot disappear; restore the record, and deprecate the version in the registry instead");
                return;
            case BaselineStatus.Unreadable:
                Line(context, "red", "ERROR", $"{file}: {entry.Findings[0].Message}");
                return;
        }

        var nextVersion = contracts.Where(c => c.Name == entry.Contract).Select(c => c.MajorVersion).DefaultIfEmpty(entry.Version).Max() + 1;
        foreach (var finding in entry.Findings)
        {
            if (!finding.IsBreaking && SchemaCompatibility.IsBreaking(finding.Rule))
            {
                // The gate let it pass because the version is a draft: say what it would cost once published.
                Line(context, "yellow", "draft", $"{label}: {finding.Message} — allowed while the version is a draft ([ContractDraft]); once published this would need a new major version");
            }
            else if (finding.IsBreaking)
            {
                Line(context, "red", "BREAKING", $"{label}: {finding.Message} — a breaking change needs a new major version (v{nextVersion.ToString(CultureInfo.InvariantCulture)})");
            }
            else
            {
                Line(context, "yellow", "compatible", $"{label}: {finding.Message}");
            }
        }

        if (entry.Status == BaselineStatus.DraftChange)
        {
            Line(context, "yellow", "note", $"{label}: {file} is out of date; run 'qazbus contracts check --update' to rewrite the draft's schema");
        }
        else if (entry.Status == BaselineStatus.CompatibleChange)
        {
            Line(context, "yellow", "note", $"{label}: {file} is out of date; run 'qazbus contracts check --update' to publish the compatible changes");
        }
    }

    private static void Line(CliContext context, string colour, string tag, string text) =>
        context.Console.MarkupLine($"[{colour}]{Markup.Escape(tag)}[/] {Markup.Escape(text)}");

    private static string SchemasDirectory(CliContext context, string? option, bool update)
    {
        if (option is not null)
        {
            var directory = context.Resolve(option);
            if (!Directory.Exists(directory) && !update)
            {
                throw CliException.Usage($"the schemas directory {option} does not exist (pass --update to create it with the current schemas)");
            }

            return directory;
        }

        return context.FindUpwards(DefaultSchemasDirectory)
            ?? throw CliException.Usage(
                $"could not find {DefaultSchemasDirectory} in {context.WorkingDirectory} or above: run inside the QazBus repository, or pass --schemas-dir DIR");
    }

    private static string Summary(BaselineReport report)
    {
        var parts = new List<string>();
        var breaking = report.BreakingFindings.Count(f => f.Rule is not CompatibilityRule.ContractRemoved);
        AddPart(parts, breaking, "breaking change");
        AddPart(parts, report.Entries.Count(e => e.Status == BaselineStatus.Removed), "removed contract version");
        AddPart(parts, report.Entries.Count(e => e.Status == BaselineStatus.Missing), "missing schema");
        AddPart(parts, report.Entries.Count(e => e.Status == BaselineStatus.Unreadable), "unreadable schema");
        return parts.Count == 0 ? "nothing to report" : string.Join(", ", parts);
    }

    private static void AddPart(List<string> parts, int count, string what)
    {
        if (count > 0)
        {
            parts.Add(Counts.Of(count, what));
        }
    }
}
