using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Queries;

/// <summary>
/// The Node.js query sample (samples/node-query) run as child processes with the <c>node</c> on PATH: what a Node team
/// runs, with no QazBus code in it. A missing <c>node</c> or missing packages fail the test and say how to get them.
/// </summary>
internal static class NodeSample
{
    private const string HowToInstall = "run ./build.sh test (it runs npm ci in samples/node-query)";

    /// <summary>samples/node-query, checked: node runs and amqplib is installed.</summary>
    public static string Folder()
    {
        string directory;
        try
        {
            directory = Path.GetDirectoryName(RepositoryFiles.Find("samples/node-query/package.json"))!;
        }
        catch (FileNotFoundException ex)
        {
            throw new InvalidOperationException($"The Node query sample is missing ({ex.Message}).", ex);
        }

        if (!File.Exists(Path.Combine(directory, "node_modules", "amqplib", "package.json")))
        {
            Assert.Fail($"{Path.Combine(directory, "node_modules")} has no amqplib: {HowToInstall}.");
        }

        try
        {
            using var version = Process.Start(Node(directory, "--version")) ?? throw new InvalidOperationException("node did not start");
            version.WaitForExit(10_000);
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"'node' (Node.js 20+) is not on PATH ({ex.Message}): install Node.js and npm, then {HowToInstall}.");
        }

        return directory;
    }

    /// <summary>Runs <c>node {script} {arguments}</c> to its end; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ITestOutputHelper output, string script, TimeSpan timeout, params string[] arguments)
    {
        var directory = Folder();
        using var process = Process.Start(Node(directory, [script, .. arguments])) ?? throw new InvalidOperationException($"node {script} did not start");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"node {script} did not end within {timeout}.");
            }

            var (outText, errText) = (await stdout, await stderr);
            output.WriteLine($"node {script} {Masked(arguments)} -> exit {process.ExitCode}");
            output.WriteLine($"  stdout: {outText.TrimEnd()}");
            output.WriteLine($"  stderr: {errText.TrimEnd()}");
            return (process.ExitCode, outText, errText);
        }
        finally
        {
            Kill(process);
        }
    }

    /// <summary>Starts <c>node {script}</c> and returns once it printed <c>ready</c>; disposing kills it.</summary>
    public static async Task<RunningScript> StartAsync(ITestOutputHelper output, string name, string script, params string[] arguments)
    {
        var directory = Folder();
        var process = Process.Start(Node(directory, [script, .. arguments])) ?? throw new InvalidOperationException($"node {script} did not start");
        var running = new RunningScript(process, name, output);
        try
        {
            await running.WaitForReadyAsync(TimeSpan.FromSeconds(30));
            return running;
        }
        catch
        {
            running.Dispose();
            throw;
        }
    }

    // Broker URIs carry a password: the test output shows the command line without it.
    private static string Masked(string[] arguments) =>
        string.Join(' ', arguments.Select(a => System.Text.RegularExpressions.Regex.Replace(a, "://[^/@]*@", "://***@")));

    private static ProcessStartInfo Node(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The scripts fall back to QAZBUS_* variables for what the arguments leave out: a variable of the developer's
        // shell (an allow-list of requesters, a correlation id) must not change what a test sees.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("QAZBUS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        return start;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started, or already reaped
        }
    }

    /// <summary>A script that keeps running (the provider); its output lines go to the test output with a prefix.</summary>
    internal sealed class RunningScript : IDisposable
    {
        private readonly Process _process;
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly StringBuilder _stderr = new();

        public RunningScript(Process process, string name, ITestOutputHelper output)
        {
            _process = process;
            void Log(string line)
            {
                try
                {
                    output.WriteLine($"{name}[{process.Id}]: {line}");
                }
                catch (InvalidOperationException)
                {
                    // the test has ended; its output is closed
                }
            }

            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                Log(e.Data);
                if (e.Data == "ready")
                {
                    _ready.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_stderr)
                    {
                        _stderr.AppendLine(e.Data);
                    }

                    Log(e.Data);
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public async Task WaitForReadyAsync(TimeSpan timeout)
        {
            var exited = _process.WaitForExitAsync();
            var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(timeout));
            if (first == _ready.Task)
            {
                return;
            }

            string stderr;
            lock (_stderr)
            {
                stderr = _stderr.ToString().Trim();
            }

            Assert.Fail(first == exited
                ? $"{_process.StartInfo.ArgumentList[0]} exited with code {_process.ExitCode} before it printed 'ready': {stderr}"
                : $"{_process.StartInfo.ArgumentList[0]} did not print 'ready' within {timeout}: {stderr}");
        }

        public void Dispose()
        {
            Kill(_process);
            _process.Dispose();
        }
    }
}
