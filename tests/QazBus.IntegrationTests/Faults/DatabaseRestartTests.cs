using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QazBus.Contracts.Population;
using QazBus.Storage.Outbox;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Faults;

/// <summary>
/// PostgreSQL is restarted in immediate mode (every session cut, no checkpoint) while the outbox relay publishes and an
/// inbox consumer handles: both recover by themselves, and every committed outbox row has exactly one effect. A
/// private server with PostgreSQL's default settings: restarting the shared one would break the other assemblies.
/// </summary>
public sealed class DatabaseRestartTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const int Target = 3_000;
    private const int PerTransaction = 20;

    [Fact]
    public async Task Restarting_postgres_under_the_relay_and_the_inbox_loses_nothing_and_doubles_nothing()
    {
        await using var postgres = await PrivatePostgres.StartNewAsync(Output.WriteLine);
        var unique = TestHosts.Unique();
        var effects = await EffectTable.CreateAsync(postgres.ConnectionString, $"effects_{unique}");
        var outboxSchema = $"sender_{unique}";
        var settings = new Dictionary<string, string?>
        {
            ["QazBus:Storage:Provider"] = "Postgres",
            ["QazBus:Storage:ConnectionString"] = postgres.ConnectionString,
            // A short pause of the kill switch: the restart makes every handler fail for a moment, and the test
            // measures recovery, not the production pause of a minute.
            ["QazBus:KillSwitch:Pause"] = "00:00:05",
        };
        var consumerSystem = $"kgd.pg-restart-{unique}";
        using var consumer = TestHosts.Build(consumerSystem, Uri,
            bus => bus.AddHandler<AddressChanged, EffectHandler>("address-changes").AddStorage(o => o.Schema = $"consumer_{unique}"),
            settings, s => s.AddSingleton(effects));
        await consumer.StartAsync();
        using var sender = TestHosts.Build($"mju.pg-restart-{unique}", Uri, bus => bus.AddStorage(o => o.Schema = outboxSchema), settings);
        await sender.StartAsync();
        var outbox = sender.Services.GetRequiredService<IOutbox>();

        // The business code: transactions of 20 outbox rows each, one after another, retried when the database is
        // away (as an agency service would). What counts is what committed: the rows in the outbox table afterwards.
        var stop = new CancellationTokenSource();
        var committed = 0;
        var failedTransactions = 0;
        var enqueuing = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested && committed < Target)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(postgres.ConnectionString);
                    await connection.OpenAsync();
                    await using var transaction = await connection.BeginTransactionAsync();
                    for (var k = 0; k < PerTransaction; k++)
                    {
                        await outbox.EnqueueAsync(transaction, Messages.Address(i++));
                    }

                    await transaction.CommitAsync();
                    committed += PerTransaction;
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
                {
                    failedTransactions++;
                    await Task.Delay(100);
                }
            }
        });

        async Task<long> Sent() => await ScalarAsync(postgres.ConnectionString, $"select count(*) from {outboxSchema}.qazbus_outbox where sent_at is not null");
        async Task<string> Report() => $"committed {committed} (failed transactions {failedTransactions}), relayed {await SafeAsync(Sent)}, effects {await SafeAsync(effects.CountAsync)} (distinct {await SafeAsync(effects.DistinctAsync)}); queue {await Broker.QueueStateAsync($"{consumerSystem}.address-changes")}";
        async Task<string> Diagnose() => $"\n  sessions:{await effects.SessionsAsync()}";

        await Progress.UntilAsync("some effects before the restart", async () => await effects.CountAsync() >= 500, Report, Diagnose, Output.WriteLine);
        var clock = Stopwatch.StartNew();
        await postgres.RestartImmediateAsync();
        var down = clock.Elapsed;
        var before = await effects.CountAsync();
        Output.WriteLine($"PostgreSQL restarted (immediate) in {down.TotalSeconds:F1} s: {await Report()}");

        await Progress.UntilAsync("effects after the restart", async () => await effects.CountAsync() > before + 100, Report, Diagnose, Output.WriteLine, stall: TimeSpan.FromSeconds(90));
        var recovered = clock.Elapsed;
        Output.WriteLine($"recovered: effects grow again {recovered.TotalSeconds:F1} s after the restart began");
        await enqueuing;
        var expected = await IdsAsync(postgres.ConnectionString, outboxSchema);
        Assert.True(expected.Count >= Target, $"only {expected.Count} rows committed");
        await Progress.UntilAsync("an effect for every committed row", async () => await effects.DistinctAsync() >= expected.Count, Report, Diagnose, Output.WriteLine, stall: TimeSpan.FromSeconds(90));
        await Task.Delay(1000); // a double effect would land now
        Output.WriteLine($"all {expected.Count} committed rows handled {clock.Elapsed.TotalSeconds:F1} s after the restart began; {failedTransactions} business transactions failed during it and were retried");

        Assert.Empty(await effects.MissingAsync(expected));
        Assert.Empty(await effects.DoublesAsync());
        Assert.Equal(expected.Count, await effects.CountAsync());
        await stop.CancelAsync();
        await sender.StopAsync();
        await consumer.StopAsync();
    }

    private static async Task<string> SafeAsync(Func<Task<long>> count)
    {
        try
        {
            return (await count()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (NpgsqlException)
        {
            return "?";
        }
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> IdsAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select message_id from {schema}.qazbus_outbox", connection);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
