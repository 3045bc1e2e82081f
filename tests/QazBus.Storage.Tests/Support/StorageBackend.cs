using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using QazBus.Storage.Configuration;
using QazBus.TestSupport;

namespace QazBus.Storage.Tests.Support;

/// <summary>A database for one test class: a fresh PostgreSQL schema, or a fresh SQLite file.</summary>
public abstract class StorageBackend : IAsyncDisposable
{
    public abstract StorageProvider Provider { get; }

    public abstract string ConnectionString { get; }

    /// <summary>The PostgreSQL schema ("public" on SQLite, where it is ignored).</summary>
    public virtual string Schema => "public";

    public abstract string Description { get; }

    public static async Task<StorageBackend> CreateAsync(StorageProvider provider) => provider switch
    {
        StorageProvider.Postgres => new PostgresBackend(await Servers.PostgresAsync()),
        _ => new SqliteBackend(),
    };

    /// <summary>The configuration of a storage with table prefix <paramref name="prefix"/> in this database.</summary>
    public Dictionary<string, string?> Settings(string prefix) => new()
    {
        ["QazBus:Storage:Provider"] = Provider.ToString(),
        ["QazBus:Storage:ConnectionString"] = ConnectionString,
        ["QazBus:Storage:Schema"] = Schema,
        ["QazBus:Storage:TablePrefix"] = prefix,
    };

    /// <summary>The options of a storage with table prefix <paramref name="prefix"/> in this database.</summary>
    public StorageOptions Options(string prefix) => new()
    {
        Provider = Provider,
        ConnectionString = ConnectionString,
        Schema = Schema,
        TablePrefix = prefix,
    };

    /// <summary>A table's name as SQL sees it.</summary>
    public string Table(string name) => Provider == StorageProvider.Postgres ? $"{Schema}.{name}" : name;

    public abstract Task<DbConnection> OpenAsync();

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<List<string>> StringsAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    public abstract ValueTask DisposeAsync();
}

public sealed class PostgresBackend(PostgresFixture server) : StorageBackend
{
    private readonly string _schema = PostgresFixture.NewSchemaName("storage");

    public override StorageProvider Provider => StorageProvider.Postgres;

    public override string ConnectionString => server.ConnectionString;

    public override string Schema => _schema;

    public override string Description => $"{server.Description}, schema {_schema}";

    public override async Task<DbConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await server.DropSchemaAsync(_schema);
    }
}

public sealed class SqliteBackend : StorageBackend
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"qazbus-storage-{Guid.NewGuid():N}.db");

    public override StorageProvider Provider => StorageProvider.Sqlite;

    public override string ConnectionString => $"Data Source={_file}";

    public override string Description => $"SQLite file {_file}";

    public override async Task<DbConnection> OpenAsync()
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override ValueTask DisposeAsync()
    {
        using (var connection = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // best effort: a temp file
            }
        }

        return ValueTask.CompletedTask;
    }
}
