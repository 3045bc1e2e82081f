using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Retry;

/// <summary>
/// A consumer process killed by its PID in the middle of a stream, then started again, leaves every message handled
/// exactly once in effect: at-least-once delivery plus the inbox. Real RabbitMQ, real PostgreSQL, a real process.
/// </summary>
public sealed class CrashRecoveryTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const int Messages = 5_000;

    [Fact]
    public async Task Killing_the_consumer_mid_stream_and_starting_it_again_handles_every_message_exactly_once()
    {
        await using var postgres = new PostgresFixture();
        await postgres.InitializeAsync();
        var schema = $"crash_{TestHosts.Unique()}";
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create schema \"{schema}\"; create table \"{schema}\".effects (message_id text not null, iin text not null)", connection);
            await create.ExecuteNonQueryAsync();
        }

        var system = $"kgd.crash-{TestHosts.Unique()}";
        var worker = StartWorker(system, postgres.ConnectionString, schema);
        try
        {
            await WaitForAsync(() => QueueExistsAsync(system), TimeSpan.FromSeconds(60), "the worker to declare its queue");

            using var registry = TestHosts.Build("mju.population-registry", Uri);
            await registry.StartAsync();
            var publisher = registry.Services.GetRequiredService<IContractPublisher>();
            var sends = new List<Task>();
            for (var i = 0; i < Messages; i++)
            {
                sends.Add(publisher.PublishAsync(new AddressChanged
                {
                    Iin = $"90{i:D10}",
                    NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = $"Respublika {i}" },
                    ValidFrom = new DateOnly(2026, 12, 1),
                }));
            }

            await Task.WhenAll(sends);
            await registry.StopAsync();

            // Kill it while it is handling: somewhere past the first fifth.
            await WaitForAsync(async () => await CountAsync(postgres.ConnectionString, schema, "count(*)") >= Messages / 5, TimeSpan.FromSeconds(120), "a fifth of the effects");
            var before = await CountAsync(postgres.ConnectionString, schema, "count(*)");
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
            Output.WriteLine($"killed PID {worker.Id} after {before} effects");
            Assert.True(before < Messages, "the worker finished before it could be killed; the test proves nothing");

            worker.Dispose();
            worker = StartWorker(system, postgres.ConnectionString, schema);
            await WaitForAsync(async () => await CountAsync(postgres.ConnectionString, schema, "count(distinct message_id)") >= Messages, TimeSpan.FromSeconds(240), "every effect");
            await Task.Delay(1000); // a duplicate effect would land now

            Assert.Equal(Messages, await CountAsync(postgres.ConnectionString, schema, "count(distinct message_id)"));
            Assert.Equal(Messages, await CountAsync(postgres.ConnectionString, schema, "count(*)"));
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
            }

            worker.Dispose();
            await using var connection = await Broker.CreateConnectionAsync();
            await BrokerProbe.DeleteEndpointAsync(connection, $"{system}.address-changes");
        }
    }

    private Process StartWorker(string system, string postgres, string schema)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "QazBus.TestWorker.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { dll, system, Uri, postgres, schema })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the test worker");
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Output.WriteLine($"worker: {e.Data}"); } };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Output.WriteLine($"worker: {e.Data}"); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    private async Task<bool> QueueExistsAsync(string system)
    {
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.QueueDeclarePassiveAsync($"{system}.address-changes");
            return true;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return false;
        }
    }

    private static async Task<long> CountAsync(string connectionString, string schema, string what)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select {what} from \"{schema}\".effects", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var lastReport = DateTime.UtcNow;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            if (DateTime.UtcNow - lastReport > TimeSpan.FromSeconds(15))
            {
                lastReport = DateTime.UtcNow;
                Output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} still waiting for {what}");
            }

            await Task.Delay(100);
        }
    }
}
