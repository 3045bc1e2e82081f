using System.Diagnostics;

namespace QazBus.Cli.Tests;

/// <summary>The tool as CI runs it: a separate process whose exit code a script reads.</summary>
public sealed class ProcessTests
{
    private static async Task<(int ExitCode, string Output)> RunToolAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Cli.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "QazBus.Cli.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task Contracts_check_exits_0_on_the_real_contracts()
    {
        var (exitCode, output) = await RunToolAsync("contracts", "check");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Registry_check_exits_0_on_the_real_registry()
    {
        var (exitCode, output) = await RunToolAsync("registry", "check");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task A_usage_error_exits_2()
    {
        var (exitCode, output) = await RunToolAsync("contracts", "check", "--no-such-option");

        Assert.True(exitCode == 2, output);
    }
}
