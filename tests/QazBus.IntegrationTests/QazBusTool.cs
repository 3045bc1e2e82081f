using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests;

/// <summary>Runs the built <c>qazbus</c> CLI as its own process, the way an operator does.</summary>
internal static partial class QazBusTool
{
    public static async Task<(int ExitCode, string Output)> RunAsync(ITestOutputHelper log, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "QazBus.Cli.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        // The test log shows the command without the broker password.
        log.WriteLine($"$ qazbus {Password().Replace(string.Join(' ', arguments), ":***@")}\n{await output}{await error}");
        return (process.ExitCode, await output + await error);
    }

    [GeneratedRegex(":[^:@/ ]+@")]
    private static partial Regex Password();
}
