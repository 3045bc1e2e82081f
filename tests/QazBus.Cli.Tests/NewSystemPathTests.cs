using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.Schemas.Registry;
using QazBus.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.Cli.Tests;

/// <summary>
/// The integrator's path, followed as a newcomer would on a clean clone: the scaffold for a new agency in a copy of
/// the repository, a build, <c>qazbus doctor</c> as the new system's broker user, then the new system running beside
/// the population registry on the real broker under the permissions generated from the scaffolded registry, and its
/// first message handled (and the event it announces in return published through its outbox, signed).
/// </summary>
public sealed class NewSystemPathTests(ITestOutputHelper output)
{
    private const string System = "mtszn.benefits";

    [Fact]
    public async Task A_scaffolded_system_builds_passes_doctor_and_handles_its_first_message_under_generated_permissions()
    {
        var total = Stopwatch.StartNew();
        var copy = CopyRepository();
        try
        {
            // 1. The scaffold, as the README's integrator section runs it.
            var step = Stopwatch.StartNew();
            var scaffold = await Cli.RunAsync(copy, null,
                "new", "system", "--system", System,
                "--agency-name", "Ministry of Labour and Social Protection of the Population of the Republic of Kazakhstan",
                "--name", "Social benefits: entitlement decisions", "--owner", "MTSZN, benefits system team",
                "--receives", "mju.population.citizen-registered", "mju.population.address-changed.v1",
                "--publishes", "mtszn.social.benefit-granted");
            output.WriteLine($"scaffold ({step.Elapsed.TotalSeconds:F0} s):\n{scaffold}");
            Assert.True(scaffold.ExitCode == 0, scaffold.ToString());

            // 2. The new system and the CLI that knows its new contract, built from the copy.
            step.Restart();
            await DotnetAsync(copy, TimeSpan.FromMinutes(5), "build", "samples/Benefits", "-c", "Release", "-v", "quiet", "-nologo");
            await DotnetAsync(copy, TimeSpan.FromMinutes(5), "build", "src/QazBus.Cli", "-c", "Release", "-v", "quiet", "-nologo");
            output.WriteLine($"build: {step.Elapsed.TotalSeconds:F0} s");

            // 3. The broker as an operator sets it up from the scaffolded registry: users, permissions, exchanges.
            Assert.True(RegistryDocument.TryParse(await File.ReadAllTextAsync(Path.Combine(copy, "deploy/registry/registry.json")), out var document, out var problem), problem?.Message);
            var registry = document!.Registry;
            await using var broker = await GeneratedBroker.StartAsync(registry);

            // 4. The doctor, from the system's own settings (id, signing key), as its broker user under managed topology.
            step.Restart();
            var project = Path.Combine(copy, "samples", "Benefits");
            var doctor = await DotnetAsync(copy, TimeSpan.FromMinutes(2),
                Path.Combine(copy, "src/QazBus.Cli/bin/Release/net10.0/QazBus.Cli.dll"), "doctor", "--settings", "samples/Benefits/appsettings.json",
                "--uri", broker.UriOf(System), "--managed-topology");
            output.WriteLine($"doctor ({step.Elapsed.TotalSeconds:F0} s):\n{doctor}");
            Assert.Contains($"OK: {System}", doctor, StringComparison.Ordinal);
            Assert.Contains("matches the registry's public key", doctor, StringComparison.Ordinal);

            // 5. What the new system announces, seen by an observer queue bound as the broker's administrator.
            await broker.GrantAdministratorAsync();
            await using var observer = await new ConnectionFactory { Uri = new Uri(broker.AdministratorUri) }.CreateConnectionAsync();
            await using var channel = await observer.CreateChannelAsync();
            var announced = (await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true)).QueueName;
            await channel.QueueBindAsync(announced, "mtszn.social.benefit-granted.v1", string.Empty);

            // 6. The new system as its own process, from its folder, under its generated user and managed topology.
            using var benefits = StartSystem(project, broker.UriOf(System));
            try
            {
                await benefits.WaitForLineAsync("Application started", TimeSpan.FromSeconds(60));

                using var population = TestHosts.Build("mju.population-registry", broker.UriOf("mju.population-registry"),
                    settings: new Dictionary<string, string?> { ["QazBus:RabbitMq:ManagedTopology"] = "true" });
                await population.StartAsync();
                var id = await population.Services.GetRequiredService<IContractPublisher>().PublishAsync(
                    new CitizenRegisteredV2
                    {
                        Iin = "900102300123",
                        LastName = "Ахметова",
                        FirstName = "Айгерим",
                        BirthDate = new DateOnly(1990, 1, 2),
                        RegisteredAt = DateTimeOffset.UtcNow,
                    },
                    new PublishOptions { CorrelationId = "case-2026-0001" });

                var handled = await benefits.WaitForLineAsync($"Handled mju.population.citizen-registered v2 {id}", TimeSpan.FromSeconds(60));
                output.WriteLine($"first message handled: {handled}");
                Assert.DoesNotContain("900102300123", benefits.Output, StringComparison.Ordinal); // no personal data in its logs

                var message = await WaitForMessageAsync(channel, announced, TimeSpan.FromSeconds(60));
                var headers = message.BasicProperties.Headers!;
                Assert.Equal(System, Encoding.UTF8.GetString((byte[])headers[QazBus.Wire.WireHeaders.Source]!));
                Assert.True(headers.ContainsKey(QazBus.Signing.MessageSignature.SignatureHeader), "the announced event is signed with the scaffolded key");
                // Receivers find the key under the message's source by its registry id.
                Assert.Equal(registry.Systems.Single(s => s.Id == System).PublicKeys[0].Id, Encoding.UTF8.GetString((byte[])headers[QazBus.Signing.MessageSignature.KeyHeader]!));
                Assert.Contains("\"caseNumber\":\"case-2026-0001\"", Encoding.UTF8.GetString(message.Body.Span), StringComparison.Ordinal);
                await population.StopAsync();
            }
            finally
            {
                output.WriteLine("--- the new system's output\n" + benefits.Output);
            }

            output.WriteLine($"path from scaffold to first message, machine time: {total.Elapsed.TotalSeconds:F0} s");
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>The repository's files as a clone has them (tracked, and new files not ignored), without build output.</summary>
    private static string CopyRepository()
    {
        var copy = Path.Combine(Path.GetTempPath(), "qazbus-path-" + TestHosts.Unique());
        var git = new ProcessStartInfo("git") { WorkingDirectory = Cli.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "ls-files", "-z", "--cached", "--others", "--exclude-standard" })
        {
            git.ArgumentList.Add(argument);
        }

        using var process = Process.Start(git) ?? throw new InvalidOperationException("git is needed to copy the repository");
        var files = process.StandardOutput.ReadToEnd().Split('\0', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "git ls-files failed: " + process.StandardError.ReadToEnd());
        foreach (var file in files)
        {
            var source = Path.Combine(Cli.RepositoryRoot, file);
            if (!File.Exists(source))
            {
                continue; // deleted in the working tree, not yet committed
            }

            var target = Path.Combine(copy, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }

        return copy;
    }

    private static async Task<string> DotnetAsync(string directory, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited {process.ExitCode}:\n{text}");
        return text;
    }

    private static RunningProcess StartSystem(string project, string uri)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = project, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(project, "bin/Release/net10.0/Benefits.dll"));
        start.Environment["QazBus__RabbitMq__Uri"] = uri;
        start.Environment["QazBus__RabbitMq__ManagedTopology"] = "true";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return new RunningProcess(Process.Start(start)!);
    }

    private static async Task<BasicGetResult> WaitForMessageAsync(IChannel channel, string queue, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (true)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            {
                return message;
            }

            // The relay publishes after the inbox transaction commits: poll, as nothing else signals it here.
            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }

    /// <summary>A child process whose output lines are collected and awaited.</summary>
    private sealed class RunningProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly List<(string Text, TaskCompletionSource<string> Seen)> _waits = [];

        public RunningProcess(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => OnLine(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public async Task<string> WaitForLineAsync(string text, TimeSpan limit)
        {
            TaskCompletionSource<string> seen;
            lock (_output)
            {
                var existing = _output.ToString().Split('\n').FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal));
                if (existing is not null)
                {
                    return existing;
                }

                seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((text, seen));
            }

            var exited = _process.WaitForExitAsync();
            var first = await Task.WhenAny(seen.Task, exited, Task.Delay(limit));
            if (first == seen.Task)
            {
                return await seen.Task;
            }

            throw new InvalidOperationException(first == exited
                ? $"the system exited ({_process.ExitCode}) before printing '{text}':\n{Output}"
                : $"the system did not print '{text}' within {limit.TotalSeconds:F0} s:\n{Output}");
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
                foreach (var wait in _waits.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
                {
                    wait.Seen.TrySetResult(line);
                    _waits.Remove(wait);
                }
            }
        }
    }
}
