using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QazBus.Contracts.Population;
using QazBus.Handling;
using QazBus.Publishing;
using QazBus.Storage.Inbox;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Faults;

/// <summary>
/// Stopping a worker while handlers run: <c>StopAsync</c> waits for them up to <c>QazBus:ShutdownTimeout</c>; those
/// still running then are cancelled and their messages go back to the queue unacknowledged. Nothing is lost and
/// nothing has two effects, whichever side of the timeout a handler ends on.
/// </summary>
public sealed class ShutdownTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const int Count = 8;
    private const int Concurrency = 4;

    [Theory]
    [InlineData(1_500, 10, false)] // handlers finish within the timeout: stop waits for them, they commit and are acknowledged
    [InlineData(30_000, 1, true)]  // handlers outlast it: cancelled, rolled back, returned; the next worker handles them
    public async Task Stopping_waits_for_handlers_up_to_the_timeout_and_returns_the_rest_to_the_queue(int handlerMs, int timeoutSeconds, bool outlast)
    {
        await using var postgres = new PostgresFixture();
        await postgres.InitializeAsync();
        var unique = TestHosts.Unique();
        var effects = await EffectTable.CreateAsync(postgres.ConnectionString, $"stop_{unique}");
        var system = $"kgd.shutdown-{unique}";
        var queue = $"{system}.address-changes";
        var slow = new SlowHandler.State(TimeSpan.FromMilliseconds(handlerMs));
        Microsoft.Extensions.Hosting.IHost Worker(SlowHandler.State state) => TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, SlowHandler>("address-changes").AddStorage(o => o.Schema = $"stop_inbox_{unique}"),
            new Dictionary<string, string?>
            {
                ["QazBus:Storage:Provider"] = "Postgres",
                ["QazBus:Storage:ConnectionString"] = postgres.ConnectionString,
                ["QazBus:ShutdownTimeout"] = TimeSpan.FromSeconds(timeoutSeconds).ToString(),
                ["QazBus:ConcurrencyLimit"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["QazBus:PrefetchCount"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            s => s.AddSingleton(effects).AddSingleton(state));

        var first = Worker(slow);
        await first.StartAsync();
        using (var registry = TestHosts.Build("mju.population-registry", Uri))
        {
            await registry.StartAsync();
            var publisher = registry.Services.GetRequiredService<IContractPublisher>();
            for (var i = 0; i < Count; i++)
            {
                await publisher.PublishAsync(Messages.Address(i));
            }

            await registry.StopAsync();
        }

        await Progress.UntilAsync($"{Concurrency} handlers in flight", () => Task.FromResult(slow.InFlight == Concurrency),
            () => Task.FromResult($"{slow.InFlight} in flight, {slow.Finished} finished"), null, Output.WriteLine);
        var clock = Stopwatch.StartNew();
        await first.StopAsync();
        var stopped = clock.Elapsed;
        var afterStop = await effects.CountAsync();
        Output.WriteLine($"StopAsync returned after {stopped.TotalSeconds:F1} s (ShutdownTimeout {timeoutSeconds} s, handlers take {handlerMs} ms): {afterStop} effects, {slow.Cancelled} handlers cancelled");
        first.Dispose();

        if (outlast)
        {
            Assert.InRange(stopped, TimeSpan.FromSeconds(timeoutSeconds), TimeSpan.FromSeconds(timeoutSeconds + 6));
            Assert.Equal(0, afterStop);
            Assert.Equal(Concurrency, slow.Cancelled);
        }
        else
        {
            Assert.Equal(Concurrency, afterStop); // the in-flight ones finished and committed before StopAsync returned
            Assert.Equal(0, slow.Cancelled);
        }

        // The next worker (a restart) handles what is left, quickly.
        var second = Worker(new SlowHandler.State(TimeSpan.Zero));
        await second.StartAsync();
        await Progress.UntilAsync("every effect", async () => await effects.DistinctAsync() >= Count,
            async () => $"effects {await effects.CountAsync()}; queue {await Broker.QueueStateAsync(queue)}", null, Output.WriteLine);
        await Task.Delay(1000);
        await second.StopAsync();
        second.Dispose();
        Assert.Empty(await effects.DoublesAsync());
        Assert.Equal(Count, await effects.CountAsync());
        await using var connection = await Broker.CreateConnectionAsync();
        await BrokerProbe.DeleteEndpointAsync(connection, queue);
    }

    private sealed class SlowHandler(IInboxTransaction inbox, EffectTable table, SlowHandler.State state) : IContractHandler<AddressChanged>
    {
        public async Task HandleAsync(AddressChanged message, MessageContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref state.InFlightCount);
            try
            {
                await using var command = new NpgsqlCommand(table.InsertSql, (NpgsqlConnection)inbox.Connection, (NpgsqlTransaction)inbox.Transaction);
                command.Parameters.AddWithValue("id", context.MessageId);
                command.Parameters.AddWithValue("iin", message.Iin);
                await command.ExecuteNonQueryAsync(cancellationToken);
                await Task.Delay(state.Duration, cancellationToken); // a slow call to a legacy system, after the write
                Interlocked.Increment(ref state.FinishedCount);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref state.CancelledCount);
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref state.InFlightCount);
            }
        }

        internal sealed class State(TimeSpan duration)
        {
#pragma warning disable CA1051, SA1401 // fields for Interlocked
            public int InFlightCount;
            public int FinishedCount;
            public int CancelledCount;
#pragma warning restore CA1051, SA1401

            public TimeSpan Duration { get; } = duration;

            public int InFlight => Volatile.Read(ref InFlightCount);

            public int Finished => Volatile.Read(ref FinishedCount);

            public int Cancelled => Volatile.Read(ref CancelledCount);
        }
    }
}
