using QazBus.Naming;
using QazBus.Schemas.Registry;

namespace QazBus.Cli.Commands;

/// <summary><c>qazbus registry check | queries</c>: the registry of agencies, systems, contracts, subscriptions and queries.</summary>
internal static class RegistryCommands
{
    /// <summary>Where the registry lives in the QazBus repository, found from the working directory upwards.</summary>
    public const string DefaultRegistryFile = "deploy/registry/registry.json";

    public static Command Create(CliContext context) =>
        CommandBuilder.Group("registry", "The registry: agencies, their systems, contract versions, approved subscriptions and queries.", CreateCheck(context), CreateQueries(context));

    /// <summary>
    /// The option naming the registry file, <c>--registry</c> on every command that reads it; <c>--file</c>, its
    /// earlier name on <c>registry check</c> and <c>catalog</c>, stays an alias so existing scripts keep working.
    /// </summary>
    internal static Option<string> FileOption()
    {
        var option = CommandBuilder.RepositoryPathOption("--registry", "The registry file (--file is an older name of this option)", DefaultRegistryFile, "FILE");
        option.Aliases.Add("--file");
        return option;
    }

    private static Command CreateCheck(CliContext context) => CommandBuilder.Create(context, "check",
        "Check the registry against the bus's naming rules, itself and the contracts in code. Exit 0 when sound, 1 with each problem and its place.",
        FileOption(),
        file => Check(context, file));

    private static Command CreateQueries(CliContext context) => CommandBuilder.Create(context, "queries",
        "List the queries: request and response versions, the provider and its queue, and each approved requester with its approval and basis. Exit 1 while the registry has problems.",
        FileOption(),
        file => Queries(context, file));

    private static int Queries(CliContext context, string? fileOption)
    {
        var path = RegistryFile(context, fileOption);
        var (document, problems) = Read(context, path);
        if (problems.Count > 0)
        {
            // Rights read from a registry that does not hold together would mislead: fix it first.
            PrintProblems(context, context.Display(path), problems);
            return ExitCodes.Failed;
        }

        var queries = document!.Registry.Queries;
        if (queries.Count == 0)
        {
            context.Console.MarkupLine($"No queries in {Markup.Escape(context.Display(path))}.");
            return ExitCodes.Ok;
        }

        // One row per approved right, like the subscriptions: who may ask whom what, since when and on what basis.
        var table = Tables.Create("QUERY", "RESPONSE", "PROVIDER", "QUEUE", "REQUESTER", "APPROVED", "BASIS");
        foreach (var query in queries.OrderBy(q => q.Query, StringComparer.Ordinal).ThenBy(q => q.Version))
        {
            var request = $"{query.Query} v{query.Version.ToString(CultureInfo.InvariantCulture)}";
            var response = $"{query.Response} v{query.ResponseVersion.ToString(CultureInfo.InvariantCulture)}";
            var queue = BusNames.Queue(query.Provider, query.Endpoint);
            if (query.Requesters.Count == 0)
            {
                table.AddPlainRow(request, response, query.Provider, queue, "—", "—", "no approved requesters");
            }

            foreach (var requester in query.Requesters.OrderBy(r => r.System, StringComparer.Ordinal))
            {
                table.AddPlainRow(request, response, query.Provider, queue, requester.System,
                    requester.Approved.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), requester.Basis);
            }
        }

        context.Console.WriteTable(table);
        return ExitCodes.Ok;
    }

    private static int Check(CliContext context, string? fileOption)
    {
        var path = RegistryFile(context, fileOption);
        var shown = context.Display(path);
        var (document, problems) = Read(context, path);
        if (problems.Count > 0)
        {
            PrintProblems(context, shown, problems);
            return ExitCodes.Failed;
        }

        var registry = document!.Registry;
        var summary = string.Join(", ",
            Counts.Of(registry.Agencies.Count, "agency", "agencies"),
            Counts.Of(registry.Systems.Count, "system"),
            $"{Counts.Of(registry.Contracts.Count, "contract")} ({Counts.Of(registry.Contracts.Sum(c => c.Versions.Count), "version")})",
            Counts.Of(registry.Subscriptions.Count, "subscription"),
            $"{Counts.Of(registry.Queries.Count, "query", "queries")} ({Counts.Of(registry.Queries.Sum(q => q.Requesters.Count), "approved requester")})");
        context.Console.MarkupLine($"[green]OK[/]: {Markup.Escape(shown)}: {Markup.Escape(summary)}.");
        return ExitCodes.Ok;
    }

    /// <summary>Reads and checks a registry file: the registry when it could be read, and every problem found.</summary>
    internal static (RegistryDocument? Document, IReadOnlyList<RegistryProblem> Problems) Read(CliContext context, string path)
    {
        var json = File.ReadAllText(path);
        return RegistryDocument.TryParse(json, out var document, out var syntaxProblem)
            ? (document, RegistryValidator.Validate(document!, context.Contracts()))
            : (null, [syntaxProblem!]);
    }

    /// <summary>Prints each problem as <c>file:line: $.path: message</c>, then a FAILED line.</summary>
    internal static void PrintProblems(CliContext context, string shown, IReadOnlyList<RegistryProblem> problems)
    {
        foreach (var problem in problems)
        {
            context.Console.MarkupLine($"[red]{Markup.Escape(Place(shown, problem))}[/]: {Markup.Escape(problem.Path)}: {Markup.Escape(problem.Message)}");
        }

        context.Console.MarkupLine($"[red]FAILED[/]: {Markup.Escape(Counts.Of(problems.Count, "problem"))} in {Markup.Escape(shown)}.");
    }

    /// <summary>Where a problem is: <c>file:line</c>, or the file when the line is not known.</summary>
    internal static string Place(string shown, RegistryProblem problem) =>
        problem.Line is { } line ? $"{shown}:{line.ToString(CultureInfo.InvariantCulture)}" : shown;

    /// <summary>The registry file: <paramref name="option"/> when given, else <see cref="DefaultRegistryFile"/> found upwards.</summary>
    internal static string RegistryFile(CliContext context, string? option)
    {
        if (option is not null)
        {
            var path = context.Resolve(option);
            return File.Exists(path) ? path : throw CliException.Usage($"the registry file {option} does not exist");
        }

        return context.FindUpwards(DefaultRegistryFile)
            ?? throw CliException.Usage(
                $"could not find {DefaultRegistryFile} in {context.WorkingDirectory} or above: run inside the QazBus repository, or pass --registry FILE");
    }
}
