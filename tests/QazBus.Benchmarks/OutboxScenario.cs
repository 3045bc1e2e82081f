using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using QazBus.Handling;
using QazBus.Storage.Outbox;

namespace QazBus.Benchmarks;

/// <summary>
/// The path an agency's business change takes: one PostgreSQL transaction writes a business row and the outbox
/// row (<see cref="IOutbox.EnqueueAsync{TContract}"/>) and commits; the relay (NOTIFY-woken, batches with confirms in
/// flight) publishes it; the consume pipeline's inbox records the message id in its own transaction around the
/// handler. The message log (on by default with storage) records both sides. Storage defaults throughout.
/// "Publish" completes at the commit: the latency is commit start → relay → broker → inbox → handler.
/// <para>
/// Measured on the server's own durability settings (a stock PostgreSQL: fsync on, synchronous_commit on), as in
/// production. With <paramref name="fsyncOff"/> the scenario turns fsync off on the server for its run
/// (<c>ALTER SYSTEM</c>, a reload, reset afterwards): an extra row showing what the disk's flushes cost, never the
/// figure to plan with.
/// </para>
/// </summary>
internal sealed class OutboxScenario(string uri, string postgres, int window, IReadOnlyDictionary<string, string?> settings, bool fsyncOff = false) : IScenario
{
    public const string System = DirectScenario.System;
    public const string Endpoint = "outbox";
    public const string Schema = "qazbench";

    private IHost? _host;
    private IOutbox? _outbox;
    private NpgsqlDataSource? _dataSource;

    public string Name => fsyncOff ? "outbox-fsync-off" : "outbox";

    /// <summary>The server's fsync and synchronous_commit during the run, read back from it.</summary>
    public string? Durability { get; private set; }

    // Each publisher holds a pooled connection for its transaction, and QazBus's own pool (relay, inbox, message log)
    // holds up to concurrency + 5 more; both must fit in a stock PostgreSQL's max_connections of 100 (97 for
    // non-superusers). The business pool is bounded to the window so the open-loop rate phase, with thousands of
    // publishes due, waits for a pooled connection as an agency's application would, instead of exhausting the server.
    private const int BusinessConnections = 48;

    public int Window => Math.Min(window, BusinessConnections);

    public static string Queue => $"{System}.{Endpoint}";

    public async Task StartAsync(Receiver receiver, CancellationToken cancellationToken)
    {
        // A clean schema each run: no rows of an earlier run for the relay to publish.
        await using (var admin = new NpgsqlConnection(postgres))
        {
            await admin.OpenAsync(cancellationToken);
            await SetFsyncAsync(admin, fsyncOff ? "off" : null, cancellationToken);
            Durability = await ExecuteScalarAsync(admin, "select 'fsync ' || current_setting('fsync') || ', synchronous_commit ' || current_setting('synchronous_commit')", cancellationToken);
            await using var drop = new NpgsqlCommand($"drop schema if exists {Schema} cascade; create schema {Schema}; " +
                $"create table {Schema}.sample (sequence bigint primary key, station_id text not null, recorded_at timestamptz not null)", admin);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QazBus:System"] = System,
            ["QazBus:Transport"] = "RabbitMq",
            ["QazBus:RabbitMq:Uri"] = uri,
            ["QazBus:Storage:Provider"] = "Postgres",
            ["QazBus:Storage:ConnectionString"] = postgres,
            ["QazBus:Storage:Schema"] = Schema,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(receiver);
        builder.AddQazBus().AddStorage().AddHandler<SampleRecorded, SampleHandler>(Endpoint);
        _host = builder.Build();
        await _host.StartAsync(cancellationToken);
        _outbox = _host.Services.GetRequiredService<IOutbox>();
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(postgres) { MaxPoolSize = BusinessConnections }.ConnectionString);
    }

    public async Task PublishAsync(long sequence, CancellationToken cancellationToken)
    {
        var message = SampleRecorded.Create(sequence, Stopwatch.GetTimestamp());
        await using var connection = await _dataSource!.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var business = new NpgsqlCommand($"insert into {Schema}.sample (sequence, station_id, recorded_at) values ($1, $2, $3)", connection, transaction))
        {
            business.Parameters.Add(new NpgsqlParameter { Value = message.Sequence });
            business.Parameters.Add(new NpgsqlParameter { Value = message.StationId });
            business.Parameters.Add(new NpgsqlParameter { Value = message.RecordedAt });
            await business.ExecuteNonQueryAsync(cancellationToken);
        }

        await _outbox!.EnqueueAsync(transaction, message, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<string> BacklogAsync(BrokerProbe broker, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource!.OpenConnectionAsync(cancellationToken);
        await using var count = new NpgsqlCommand($"select count(*) from {Schema}.qazbus_outbox where sent_at is null", connection);
        var unsent = await count.ExecuteScalarAsync(cancellationToken);
        return $"outbox {unsent}, queue {await broker.DepthAsync(Queue, cancellationToken)}";
    }

    // fsync can change with a reload (no restart); ALTER SYSTEM needs a superuser, as the development server's is.
    private static async Task SetFsyncAsync(NpgsqlConnection admin, string? value, CancellationToken cancellationToken)
    {
        var current = await ExecuteScalarAsync(admin, "select current_setting('fsync')", cancellationToken);
        if (value is null ? current == "on" : current == value)
        {
            return;
        }

        await ExecuteScalarAsync(admin, value is null ? "alter system reset fsync" : $"alter system set fsync = {value}", cancellationToken);
        await ExecuteScalarAsync(admin, "select pg_reload_conf()::text", cancellationToken);

        // The reload is asynchronous: wait until a new session sees the new setting.
        var wanted = value ?? "on";
        for (var i = 0; i < 50; i++)
        {
            await using var probe = new NpgsqlConnection(admin.ConnectionString);
            await probe.OpenAsync(cancellationToken);
            if (await ExecuteScalarAsync(probe, "select current_setting('fsync')", cancellationToken) == wanted)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException($"PostgreSQL did not take fsync = {wanted} after a reload");
    }

    private static async Task<string?> ExecuteScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync(cancellationToken))?.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (fsyncOff)
        {
            await using var admin = new NpgsqlConnection(postgres);
            await admin.OpenAsync();
            await SetFsyncAsync(admin, null, CancellationToken.None);
        }

        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}
