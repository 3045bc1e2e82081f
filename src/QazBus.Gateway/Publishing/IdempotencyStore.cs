using System.Data.Common;
using QazBus.Storage.Database;

namespace QazBus.Gateway.Publishing;

/// <summary>
/// The gateway's record of <c>Idempotency-Key</c>s, a table beside the outbox in the storage database: the key's row
/// and the message's outbox row are written in one transaction, so a retried request finds either both or neither.
/// </summary>
internal sealed class IdempotencyStore(StorageDatabase storage) : IHostedService
{
    private readonly string _table = storage.Table("gateway_idempotency");

    /// <summary>Claims <paramref name="key"/> for <paramref name="messageId"/> in <paramref name="transaction"/>; false when it was claimed before.</summary>
    public async Task<bool> TryClaimAsync(DbTransaction transaction, string system, string key, string requestHash, string messageId, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        // ON CONFLICT DO NOTHING on both databases: a concurrent claim of the same key waits for the first and then
        // inserts nothing, instead of failing the transaction.
#pragma warning disable CA2100 // The table name is a checked identifier; the values are parameters.
        command.CommandText = $"""
            INSERT INTO {_table} (client_system, idempotency_key, request_hash, message_id, created_at)
            VALUES (@system, @key, @hash, @id, @created)
            ON CONFLICT (client_system, idempotency_key) DO NOTHING
            """;
#pragma warning restore CA2100
        Add(command, "system", system);
        Add(command, "key", key);
        Add(command, "hash", requestHash);
        Add(command, "id", messageId);
        Add(command, "created", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>The message id and request hash a key was claimed with, or null.</summary>
    public async Task<(string MessageId, string RequestHash)?> FindAsync(string system, string key, CancellationToken cancellationToken)
    {
        await using var connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100
        command.CommandText = $"SELECT message_id, request_hash FROM {_table} WHERE client_system = @system AND idempotency_key = @key";
#pragma warning restore CA2100
        Add(command, "system", system);
        Add(command, "key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>Creates the table when missing; runs after the storage created its schema.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS {_table} (
                client_system   text NOT NULL,
                idempotency_key text NOT NULL,
                request_hash    text NOT NULL,
                message_id      text NOT NULL,
                created_at      text NOT NULL,
                PRIMARY KEY (client_system, idempotency_key)
            )
            """;
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static void Add(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
