using System.Text;
using Npgsql;

namespace QazBus.TestSupport;

/// <summary>
/// The effect table of a fault test: one row per handled message, written in the handler's inbox transaction
/// (<c>{schema}.effects (message_id, iin)</c>). Counting its rows is how a fault test proves "0 lost, 0 double effects".
/// </summary>
public sealed class EffectTable(string connectionString, string schema)
{
    public string Schema { get; } = schema;

    public string ConnectionString { get; } = connectionString;

    /// <summary>Creates the schema and the table.</summary>
    public static async Task<EffectTable> CreateAsync(string connectionString, string schema)
    {
        var table = new EffectTable(connectionString, schema);
        await table.ExecuteAsync($"create schema if not exists \"{schema}\"; create table \"{schema}\".effects (message_id text not null, iin text not null)").ConfigureAwait(false);
        return table;
    }

    /// <summary>The SQL a handler runs in its inbox transaction (parameters <c>@id</c>, <c>@iin</c>).</summary>
    public string InsertSql => $"insert into \"{Schema}\".effects (message_id, iin) values (@id, @iin)";

    /// <summary>Rows (effects, duplicates included).</summary>
    public Task<long> CountAsync() => ScalarAsync("count(*)");

    /// <summary>Messages with at least one effect.</summary>
    public Task<long> DistinctAsync() => ScalarAsync("count(distinct message_id)");

    /// <summary>The ids with more than one effect, for the failure message.</summary>
    public async Task<IReadOnlyList<string>> DoublesAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"select message_id from \"{Schema}\".effects group by message_id having count(*) > 1 limit 20", connection);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>The ids among <paramref name="expected"/> without an effect.</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(IEnumerable<string> expected)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"select distinct message_id from \"{Schema}\".effects", connection);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                seen.Add(reader.GetString(0));
            }
        }

        return expected.Where(id => !seen.Contains(id)).ToList();
    }

    /// <summary>
    /// Every session of the database that waits or holds a transaction open, with what it waits for and who blocks
    /// it: when a fault test stops making progress, this says whether a lock (for example one held by a dead
    /// worker's session) is the reason.
    /// </summary>
    public async Task<string> SessionsAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                """
                select pid, application_name, state, coalesce(wait_event_type || ':' || wait_event, '-'), pg_blocking_pids(pid)::text,
                       coalesce(extract(epoch from now() - xact_start)::int, -1), left(regexp_replace(query, '\s+', ' ', 'g'), 90)
                from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and (state <> 'idle' or wait_event_type = 'Lock')
                order by xact_start nulls last limit 40
                """, connection);
            var text = new StringBuilder();
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n    pid {reader.GetInt32(0)} {reader.GetString(1)} {reader.GetString(2)} wait {reader.GetString(3)} blocked-by {reader.GetString(4)} xact {reader.GetInt32(5)} s: {reader.GetString(6)}");
            }

            return text.Length == 0 ? " none busy" : text.ToString();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            return $" (could not read pg_stat_activity: {ex.Message})";
        }
    }

    private async Task<long> ScalarAsync(string what)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"select {what} from \"{Schema}\".effects", connection);
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
