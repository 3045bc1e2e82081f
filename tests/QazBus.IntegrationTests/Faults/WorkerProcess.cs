using System.Diagnostics;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Faults;

/// <summary>
/// A consumer in a process of its own (tests/QazBus.TestWorker), so a test can kill it by PID as the OS would,
/// or watch it crash. Its log lines go to the test output with a prefix.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>QazBus.TestWorker system uri postgres schema [Key=Value ...]</c>.</summary>
    public static WorkerProcess Start(ITestOutputHelper output, string name, string system, string uri, string postgres, string schema, params string[] settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "QazBus.TestWorker.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { dll, system, uri, postgres, schema }.Concat(settings))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the test worker");
        void Log(string? line)
        {
            if (line is null)
            {
                return;
            }

            try
            {
                output.WriteLine($"{name}[{process.Id}]: {line}");
            }
            catch (InvalidOperationException)
            {
                // the test has ended; its output is closed
            }
        }

        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return new WorkerProcess(process);
    }

    /// <summary>
    /// Waits until the worker's queue is bound to its contract's exchange, or fails when the worker exits first.
    /// Not only declared: the worker binds right after declaring, and a message published in between reaches an
    /// exchange without bindings, which the broker confirms and drops (no subscriber yet). Waiting for the declare
    /// alone lost the first 26 of 5,000 messages of the consumer-kill test once in a soak run.
    /// </summary>
    public async Task WaitForQueueAsync(TestSupport.RabbitMqFixture broker, string queue, ITestOutputHelper output)
    {
        var management = broker.Management ?? throw new InvalidOperationException(
            $"The fault tests read queue bindings from RabbitMQ's management API: set {TestSupport.RabbitMqFixture.ManagementUriVariable} (./build.sh up prints it).");
        async Task<bool> BoundAsync()
        {
            Assert.False(_process.HasExited, $"the worker exited with code {(_process.HasExited ? _process.ExitCode : 0)} before it bound {queue}");
            return (await management.BoundExchangesAsync(queue).ConfigureAwait(false)).Count > 0;
        }

        await TestSupport.Progress.UntilAsync($"the worker to bind {queue}", BoundAsync, () => Task.FromResult("starting"), null, output.WriteLine).ConfigureAwait(false);
    }

    /// <summary>SIGKILL, as a crash or an OOM kill; returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
