using QazBus.Storage.Database;

namespace QazBus.Storage.Retention;

/// <summary>
/// The one delete of the retention job: a chunk of expired rows of one table per statement, so each transaction
/// stays short however many rows expired; the caller repeats while full chunks come back.
/// </summary>
internal static class ExpiredRows
{
    /// <summary>Deletes up to <paramref name="limit"/> rows of <paramref name="table"/> matching <paramref name="filter"/>; returns how many.</summary>
    /// <param name="database">The storage database.</param>
    /// <param name="table">The table's SQL name.</param>
    /// <param name="key">The column (or row address) that identifies a row.</param>
    /// <param name="filter">The condition of an expired row, comparing with <c>@cutoff</c>; may end with an <c>ORDER BY</c> that says which go first.</param>
    /// <param name="cutoff">Rows older than this have expired.</param>
    /// <param name="limit">The chunk size.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    public static async Task<int> DeleteAsync(StorageDatabase database, string table, string key, string filter, DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.Command(null, $"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} WHERE {filter} LIMIT @limit)");
            await using (command.ConfigureAwait(false))
            {
                database.Dialect.AddTime(command, "cutoff", cutoff);
                command.AddInt32("limit", limit);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
