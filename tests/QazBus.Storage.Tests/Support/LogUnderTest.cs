using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QazBus.Observation;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;
using QazBus.Storage.MessageLog;
using QazBus.Storage.Schema;

namespace QazBus.Storage.Tests.Support;

/// <summary>A message log writer and reader on one storage, as a host would wire them.</summary>
internal sealed class LogUnderTest : IAsyncDisposable
{
    private readonly StorageBackend _backend;
    private readonly StorageDatabase _database;

    public LogUnderTest(StorageBackend backend, StorageOptions options)
    {
        _backend = backend;
        Prefix = options.TablePrefix;
        _database = new StorageDatabase(options);
        Gate = new SchemaGate(_database, NullLogger<SchemaGate>.Instance);
        var store = _database.Dialect.CreateMessageLogStore(_database);
        Writer = new MessageLogWriter(store, Gate, Options.Create(options), NullLogger<MessageLogWriter>.Instance);
        Reader = new MessageLogReader(_database, store);
        Table = backend.Table(Prefix + "message_log");
    }

    public string Prefix { get; }

    public string Table { get; }

    public SchemaGate Gate { get; }

    public MessageLogWriter Writer { get; }

    public MessageLogReader Reader { get; }

    /// <summary>Appends one record after the other, so sequence numbers follow i.</summary>
    public async Task AppendAsync(int count, Func<int, MessageRecord> record)
    {
        for (var i = 1; i <= count; i++)
        {
            await Writer.OnPublishedAsync(record(i), CancellationToken.None);
        }
    }

    /// <summary>What an attacker with owner rights does first: turn off the append-only triggers.</summary>
    public async Task AllowChangesAsync() => await (_backend.Provider == StorageProvider.Postgres
        ? _backend.ExecuteAsync($"ALTER TABLE {Table} DISABLE TRIGGER USER")
        : _backend.ExecuteAsync($"DROP TRIGGER {Prefix}message_log_no_update; DROP TRIGGER {Prefix}message_log_no_delete;"));

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        await _database.DisposeAsync();
    }
}
