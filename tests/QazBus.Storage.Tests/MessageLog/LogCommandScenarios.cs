using System.Diagnostics;
using QazBus.Storage.Configuration;
using QazBus.Storage.Tests.Support;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.MessageLog;

public sealed class LogCommandOnPostgres(ITestOutputHelper output) : LogCommandScenarios(StorageProvider.Postgres, output);

public sealed class LogCommandOnSqlite(ITestOutputHelper output) : LogCommandScenarios(StorageProvider.Sqlite, output);

/// <summary><c>qazbus log verify</c> and <c>qazbus log find</c>, run as the operator runs them: the built tool, as a process.</summary>
public abstract class LogCommandScenarios(StorageProvider provider, ITestOutputHelper output) : StorageScenario(provider, output)
{
    [Fact]
    public async Task Log_verify_passes_an_intact_log_and_names_an_altered_and_a_deleted_row()
    {
        var prefix = $"q{TestHosts.Unique()}_";
        var log = Own(new LogUnderTest(Backend, Backend.Options(prefix)));
        await log.Gate.EnsureAsync(CancellationToken.None);
        await log.AppendAsync(6, i => MessageLogScenarios.Record(i, correlation: "APP-7"));

        var intact = await QazBusAsync("log", "verify", "--prefix", prefix);
        Assert.Equal(0, intact.ExitCode);
        Assert.Contains("intact", intact.Output, StringComparison.Ordinal);

        var found = await QazBusAsync("log", "find", "--prefix", prefix, "--correlation-id", "APP-7", "--max", "2", "--payload");
        Assert.Equal(0, found.ExitCode);
        Assert.Contains("m-5", found.Output, StringComparison.Ordinal);
        Assert.Contains("m-6", found.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("m-4", found.Output, StringComparison.Ordinal);
        Assert.Contains("{\"n\":6}", found.Output, StringComparison.Ordinal);

        await log.AllowChangesAsync();
        await Backend.ExecuteAsync($"UPDATE {log.Table} SET correlation_id = 'APP-8' WHERE seq = 4");
        var altered = await QazBusAsync("log", "verify", "--prefix", prefix);
        Assert.Equal(1, altered.ExitCode);
        Assert.Contains("BROKEN at row 4", altered.Output, StringComparison.Ordinal);

        await Backend.ExecuteAsync($"UPDATE {log.Table} SET correlation_id = 'APP-7' WHERE seq = 4");
        await Backend.ExecuteAsync($"DELETE FROM {log.Table} WHERE seq = 2");
        var deleted = await QazBusAsync("log", "verify", "--prefix", prefix);
        Assert.Equal(1, deleted.ExitCode);
        Assert.Contains("BROKEN at row 2", deleted.Output, StringComparison.Ordinal);
        Assert.Contains("missing", deleted.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_find_without_a_database_is_a_usage_error()
    {
        var run = await QazBusAsync(withConnection: false, "log", "find", "--message-id", "x");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("QAZBUS_STORAGE_CONNECTION", run.Error, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output, string Error)> QazBusAsync(params string[] args) => QazBusAsync(withConnection: true, args);

    private async Task<(int ExitCode, string Output, string Error)> QazBusAsync(bool withConnection, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliPath());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (withConnection)
        {
            info.ArgumentList.Add("--connection");
            info.ArgumentList.Add(Backend.ConnectionString);
            info.ArgumentList.Add("--schema");
            info.ArgumentList.Add(Backend.Schema);
        }

        info.Environment.Remove("QAZBUS_STORAGE_CONNECTION");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var result = (process.ExitCode, await output, await error);
        Output.WriteLine($"$ qazbus {string.Join(' ', args)}  → exit {result.ExitCode}\n{result.Item2}{result.Item3}");
        return result;
    }

    // The tool built next to this test assembly: src/QazBus.Cli/bin/{configuration}/{framework}/QazBus.Cli.dll.
    private static string CliPath()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        for (var folder = testBin; folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "src", "QazBus.Cli", "bin", configuration, framework, "QazBus.Cli.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"QazBus.Cli.dll ({configuration}/{framework}) not found above {AppContext.BaseDirectory}: build the solution first.");
    }
}
