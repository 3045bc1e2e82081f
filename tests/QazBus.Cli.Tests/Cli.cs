using QazBus.Contracts;
using QazBus.Contracts.Population;
using QazBus.Schemas;

namespace QazBus.Cli.Tests;

/// <summary>Runs <c>qazbus</c> in-process with captured output.</summary>
internal static class Cli
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static IReadOnlyList<ContractDescriptor> RealContracts() => ContractDiscovery.FindContracts(typeof(CitizenRegistered).Assembly);

    public static async Task<CliRun> RunAsync(string workingDirectory, Func<IReadOnlyList<ContractDescriptor>>? contracts, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext
        {
            Out = output,
            Error = error,
            WorkingDirectory = workingDirectory,
            FindContracts = contracts ?? RealContracts,
        };
        var exitCode = await QazBusCli.RunAsync(args, context);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs against the real contracts from the repository root.</summary>
    public static Task<CliRun> RunInRepositoryAsync(params string[] args) => RunAsync(RepositoryRoot, null, args);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "QazBus.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No QazBus.sln above {AppContext.BaseDirectory}.");
    }
}

internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}--- stderr\n{Error}";
}
