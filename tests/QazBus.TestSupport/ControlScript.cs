using System.Diagnostics;

namespace QazBus.TestSupport;

/// <summary>Runs one of the repository's service scripts (<c>eng/rabbitmq.sh</c>, <c>eng/postgres.sh</c>) for a test's own server.</summary>
internal static class ControlScript
{
    /// <summary>Runs <c>bash SCRIPT COMMAND</c> with <paramref name="homeVariable"/>=<paramref name="home"/>; returns its standard output, throws with its standard error on failure.</summary>
    public static async Task<string> RunAsync(string script, string command, string homeVariable, string home, TimeSpan timeout, Action<string> log, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(command);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment[homeVariable] = home;

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not run bash {script}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{Path.GetFileName(script)} {command}' did not finish within {timeout.TotalSeconds} s (folder {home}).");
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (errors.Length > 0)
        {
            log(errors.TrimEnd());
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{Path.GetFileName(script)} {command}' failed with exit code {process.ExitCode} (folder {home}):\n{errors}");
        }

        return output;
    }

    /// <summary>The script named by <paramref name="variable"/>, else <c>eng/{name}</c> found by walking up from the test's folder.</summary>
    public static string Find(string variable, string name)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && File.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "eng", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"eng/{name} not found: set {variable} to its path, or run the tests with './build.sh test'.");
    }

    /// <summary>The value of <c>export NAME='value'</c> in a script's <c>env</c> output.</summary>
    public static string? Export(string env, string name) => env.Split('\n')
        .Select(line => line.Trim())
        .Where(line => line.StartsWith($"export {name}=", StringComparison.Ordinal))
        .Select(line => line[$"export {name}=".Length..].Trim('\''))
        .FirstOrDefault();
}
