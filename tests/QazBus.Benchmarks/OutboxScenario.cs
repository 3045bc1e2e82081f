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
/// </summary>
internal sealed class OutboxScenario(string uri, string postgres, int window, IReadOnlyDictionary<string, string?> settings) : IScenario
{
    public const string System = DirectScenario.System;
    public const string Endpoint = "outbox";
    public const string Schema = "qazbench";

    private IHost? _host;
    private IOutbox? _outbox;
    private NpgsqlDataSource? _dataSource;

    public string Name => "outbox";

    // Each publisher holds a pooled connection for its transaction; the relay, the inbox and the message log
    // need theirs too, within Npgsql's default pool of 100.
    public int Window => Math.Min(window, 64);

    public static string Queue => $"{System}.{Endpoint}";

    public async Task StartAsync(Receiver receiver, CancellationToken cancellationToken)
    {
        // A clean schema each run: no rows of an earlier run for the relay to publish.
        await using (var admin = new NpgsqlConnection(postgres))
        {
            await admin.OpenAsync(cancellationToken);
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
        _dataSource = NpgsqlDataSource.Create(postgres);
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

    public async ValueTask DisposeAsync()
    {
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
