using System.CommandLine.Help;
using System.CommandLine.Parsing;
using QazBus.Cli.Commands;

namespace QazBus.Cli;

/// <summary>The <c>qazbus</c> command tree and how a command line becomes an exit code.</summary>
/// <remarks>
/// Each command group lives in its own file under <c>Commands/</c> as a static <c>Create(CliContext)</c> that
/// returns its <see cref="Command"/>; adding a group is one line in <see cref="Build"/>.
/// </remarks>
internal static class QazBusCli
{
    /// <summary>Builds the command tree.</summary>
    public static Command Build(CliContext context)
    {
        // A named command rather than RootCommand, whose name is the executable's (QazBus.Cli under 'dotnet run'):
        // usage and help read "qazbus" however the tool is started.
        var root = new Command("qazbus", "qazbus: the QazBus integration bus's tool for contracts, the registry and operations.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Subcommands.Add(ContractsCommands.Create(context));
        root.Subcommands.Add(RegistryCommands.Create(context));
        root.Subcommands.Add(CatalogCommands.Create(context));
        root.Subcommands.Add(TopologyCommands.Create(context));
        root.Subcommands.Add(KeysCommands.Create(context));
        root.Subcommands.Add(ErrorsCommands.Create(context));
        root.Subcommands.Add(ProbeCommands.Create(context));
        root.Subcommands.Add(LogCommands.Create(context));
        root.Subcommands.Add(DoctorCommands.Create(context));
        root.Subcommands.Add(NewCommands.Create(context));
        return root;
    }

    /// <summary>Parses and runs a command line: 0 ok, 1 check failed, 2 usage error.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var parseResult = Build(context).Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await context.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync($"Run '{CommandPath(parseResult)} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        var invocation = new InvocationConfiguration { Output = context.Out, Error = context.Error };
        return await parseResult.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The command the user was typing, <c>qazbus contracts check</c>, to point them at its help.</summary>
    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = (SymbolResult?)parseResult.CommandResult; result is CommandResult command; result = command.Parent)
        {
            names.Insert(0, command.Command.Name);
        }

        names[0] = "qazbus";
        return string.Join(' ', names);
    }
}
