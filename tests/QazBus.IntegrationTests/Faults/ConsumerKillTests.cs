using Microsoft.Extensions.DependencyInjection;
using QazBus.Publishing;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Faults;

/// <summary>
/// A consumer process killed by its PID in the middle of a stream, then started again, leaves every message handled
/// exactly once in effect: at-least-once delivery plus the inbox. Real RabbitMQ, real PostgreSQL, a real process.
/// </summary>
public sealed class ConsumerKillTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const int Count = 5_000;

    [Fact]
    public async Task Killing_the_consumer_mid_stream_and_starting_it_again_handles_every_message_exactly_once()
    {
        await using var postgres = new PostgresFixture();
        await postgres.InitializeAsync();
        var effects = await EffectTable.CreateAsync(postgres.ConnectionString, $"crash_{TestHosts.Unique()}");
        var system = $"kgd.crash-{TestHosts.Unique()}";
        var queue = $"{system}.address-changes";
        var worker = WorkerProcess.Start(Output, "worker", system, Uri, postgres.ConnectionString, effects.Schema);
        try
        {
            await worker.WaitForQueueAsync(Broker, queue, Output);

            using var registry = TestHosts.Build("mju.population-registry", Uri);
            await registry.StartAsync();
            var publisher = registry.Services.GetRequiredService<IContractPublisher>();
            var ids = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => publisher.PublishAsync(Messages.Address(i))));
            await registry.StopAsync();

            async Task<string> Report() => $"effects {await effects.CountAsync()} (distinct {await effects.DistinctAsync()}) of {Count}; queue {await Broker.QueueStateAsync(queue)}";
            async Task<string> Diagnose() => $"\n  worker {(worker.HasExited ? $"exited with {worker.ExitCode}" : "running")}\n  sessions:{await effects.SessionsAsync()}";

            // Kill it while it is handling: somewhere past the first fifth.
            await Progress.UntilAsync("a fifth of the effects", async () => await effects.CountAsync() >= Count / 5, Report, Diagnose, Output.WriteLine);
            await worker.KillAsync();
            var before = await effects.CountAsync();
            Output.WriteLine($"killed PID {worker.Id} after {before} effects; queue {await Broker.QueueStateAsync(queue)}; sessions:{await effects.SessionsAsync()}");
            Assert.True(before < Count, "the worker finished before it could be killed; the test proves nothing");

            worker.Dispose();
            var restarted = System.Diagnostics.Stopwatch.StartNew();
            worker = WorkerProcess.Start(Output, "restarted", system, Uri, postgres.ConnectionString, effects.Schema);
            await Progress.UntilAsync("every effect", async () => await effects.DistinctAsync() >= Count, Report, Diagnose, Output.WriteLine);
            Output.WriteLine($"recovered: all {Count} effects {restarted.Elapsed.TotalSeconds:F1} s after the restart");
            await Task.Delay(1000); // a duplicate effect would land now

            Assert.Empty(await effects.MissingAsync(ids));
            Assert.Empty(await effects.DoublesAsync());
            Assert.Equal(Count, await effects.CountAsync());
        }
        finally
        {
            worker.Dispose();
            await using var connection = await Broker.CreateConnectionAsync();
            await BrokerProbe.DeleteEndpointAsync(connection, queue);
        }
    }
}
