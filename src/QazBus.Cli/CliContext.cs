using QazBus.Contracts;
using QazBus.Contracts.Population;
using QazBus.Schemas;

namespace QazBus.Cli;

/// <summary>What every command works with: where to write, where it runs, and the contracts in code.</summary>
/// <remarks>Tests create their own context to capture output and to check contracts built for the test.</remarks>
internal sealed class CliContext
{
    private IAnsiConsole? _console;

    /// <summary>Where results go (stdout).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Where errors go (stderr).</summary>
    public required TextWriter Error { get; init; }

    /// <summary>The directory relative paths and repository look-ups start from.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>Finds the contracts in code; called by the commands that need them.</summary>
    public required Func<IReadOnlyList<ContractDescriptor>> FindContracts { get; init; }

    /// <summary>A Spectre.Console console over <see cref="Out"/>: colours on a terminal, plain text when redirected.</summary>
    public IAnsiConsole Console => _console ??= CreateConsole();

    /// <summary>The real console, the process's directory, and the contracts of QazBus.Contracts.</summary>
    public static CliContext ForConsole() => new()
    {
        Out = System.Console.Out,
        Error = System.Console.Error,
        WorkingDirectory = Environment.CurrentDirectory,
        FindContracts = () => ContractDiscovery.FindContracts(typeof(CitizenRegistered).Assembly),
    };

    /// <summary>The contracts in code; a contract declared wrongly is an expected error.</summary>
    public IReadOnlyList<ContractDescriptor> Contracts()
    {
        try
        {
            return FindContracts();
        }
        catch (InvalidOperationException exception)
        {
            throw new CliException(exception.Message, exception);
        }
    }

    /// <summary>A path relative to the working directory when it is below it, with '/' separators, for output.</summary>
    public string Display(string path)
    {
        var relative = Path.GetRelativePath(WorkingDirectory, path);
        var shown = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
        return shown.Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>Resolves a path from the command line against the working directory.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, WorkingDirectory);

    /// <summary>
    /// Finds <paramref name="relativePath"/> (a file or directory) in the working directory or the nearest
    /// directory above it that has one: how commands find the repository's files from anywhere inside it.
    /// </summary>
    public string? FindUpwards(string relativePath)
    {
        for (var directory = new DirectoryInfo(WorkingDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relativePath);
            if (File.Exists(candidate) || Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Runs a command's work, turning an expected error into one line on stderr and its exit code.</summary>
    public async Task<int> RunAsync(Func<Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (CliException exception)
        {
            await Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
            return exception.ExitCode;
        }
    }

    /// <summary>Runs a command's work, turning an expected error into one line on stderr and its exit code.</summary>
    public int Run(Func<int> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return action();
        }
        catch (CliException exception)
        {
            Error.WriteLine($"error: {exception.Message}");
            return exception.ExitCode;
        }
    }

    private IAnsiConsole CreateConsole()
    {
        // Colours only on a real terminal: a pipe, a file, CI logs and tests get plain text that greps cleanly.
        var terminal = ReferenceEquals(Out, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });

        // Never wrap a long line at the terminal width: messages name files and fields that must stay whole.
        console.Profile.Width = int.MaxValue / 2;
        return console;
    }
}
