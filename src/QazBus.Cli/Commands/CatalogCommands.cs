using System.Text;
using QazBus.Schemas.Catalog;

namespace QazBus.Cli.Commands;

/// <summary><c>qazbus catalog</c>: the Markdown catalog of contracts, their fields, owners and subscribers.</summary>
internal static class CatalogCommands
{
    /// <summary>Where the committed catalog lives in the QazBus repository.</summary>
    public const string DefaultCatalogFile = "docs/catalog.md";

    public static Command Create(CliContext context)
    {
        var output = new Option<string>("--out")
        {
            Description = $"Write the catalog to FILE (the repository's is {DefaultCatalogFile}). Default: print it.",
            HelpName = "FILE",
        };
        var file = RegistryCommands.FileOption();
        return CommandBuilder.Create(context, "catalog",
            "Write the Markdown catalog of the contracts in code and the registry: owners, versions and status, fields (personal data marked), subscribers, data flows. Exit 1 while the registry has problems.",
            [output, file],
            parseResult => Catalog(context, parseResult.GetValue(output), parseResult.GetValue(file)));
    }

    /// <summary>
    /// The registry as the catalog names it: as given with --registry, else as written in the repository (not as found
    /// from the working directory), so the catalog reads the same wherever it is generated.
    /// </summary>
    internal static string Source(string? registryOption) => registryOption?.Replace('\\', '/') ?? RegistryCommands.DefaultRegistryFile;

    private static int Catalog(CliContext context, string? outputOption, string? fileOption)
    {
        var path = RegistryCommands.RegistryFile(context, fileOption);
        var (document, problems) = RegistryCommands.Read(context, path);
        if (problems.Count > 0)
        {
            // A catalog of a registry that does not hold together would mislead its readers: fix the registry first.
            RegistryCommands.PrintProblems(context, context.Display(path), problems);
            return ExitCodes.Failed;
        }

        var contracts = context.Contracts();
        var text = ContractCatalog.Write(document!.Registry, contracts, Source(fileOption));
        if (outputOption is null)
        {
            context.Out.Write(text);
            return ExitCodes.Ok;
        }

        var target = context.Resolve(outputOption);
        var directory = Path.GetDirectoryName(target);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw CliException.Usage($"the directory of {outputOption} does not exist");
        }

        File.WriteAllText(target, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        var names = contracts.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count();
        context.Console.MarkupLine(
            $"[green]OK[/]: wrote {Markup.Escape(context.Display(target))}: {names.ToString(CultureInfo.InvariantCulture)} contract(s), {contracts.Count.ToString(CultureInfo.InvariantCulture)} version(s).");
        return ExitCodes.Ok;
    }
}
