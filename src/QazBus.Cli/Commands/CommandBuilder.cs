namespace QazBus.Cli.Commands;

/// <summary>The shapes every command group repeats: a group of subcommands, and a command with its symbols and action.</summary>
internal static class CommandBuilder
{
    /// <summary>A command that only groups others (<c>qazbus contracts</c>, <c>qazbus errors</c>).</summary>
    public static Command Group(string name, string description, params Command[] subcommands)
    {
        var command = new Command(name, description);
        foreach (var subcommand in subcommands)
        {
            command.Subcommands.Add(subcommand);
        }

        return command;
    }

    /// <summary>
    /// A command with these arguments and options (in order) whose action runs through <see cref="CliContext.Run"/>,
    /// so an expected error is one line on stderr and its exit code.
    /// </summary>
    public static Command Create(CliContext context, string name, string description, Symbol[] symbols, Func<ParseResult, int> action)
    {
        var command = new Command(name, description);
        Add(command, symbols);
        command.SetAction(parseResult => context.Run(() => action(parseResult)));
        return command;
    }

    /// <summary>A command with one option, whose action gets its value.</summary>
    public static Command Create<T>(CliContext context, string name, string description, Option<T> option, Func<T?, int> action) =>
        Create(context, name, description, [option], parseResult => action(parseResult.GetValue(option)));

    /// <summary>An option naming a path in the repository; without it, the command finds <paramref name="defaultPath"/> upwards.</summary>
    public static Option<string> RepositoryPathOption(string name, string what, string defaultPath, string helpName) => new(name)
    {
        Description = $"{what}. Default: {defaultPath} in the current directory or above.",
        HelpName = helpName,
    };

    /// <summary>Adds arguments and options to <paramref name="command"/> in the order given.</summary>
    public static void Add(Command command, params Symbol[] symbols)
    {
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
                default:
                    throw new ArgumentException($"{symbol.Name} is neither an argument nor an option.", nameof(symbols));
            }
        }
    }
}
