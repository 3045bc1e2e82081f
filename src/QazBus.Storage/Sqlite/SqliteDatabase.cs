using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;

namespace QazBus.Storage.Sqlite;

/// <summary>
/// SQLite in one file through Microsoft.Data.Sqlite (pooled connections). Writers take the database's write lock
/// one at a time (<c>BEGIN IMMEDIATE</c>) and wait up to the command timeout when it is busy.
/// </summary>
internal sealed class SqliteDatabase : StorageDatabase
{
    // Fixed width, UTC, microseconds: sorts as text in time order and stays readable in any SQLite tool.
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private readonly string _connectionString;

    public SqliteDatabase(StorageOptions options)
        : base(options)
    {
        var builder = new SqliteConnectionStringBuilder(options.EffectiveConnectionString) { Pooling = true };
        _connectionString = builder.ConnectionString;
    }

    public override StorageProvider Provider => StorageProvider.Sqlite;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override bool Accepts(DbTransaction transaction) => transaction is SqliteTransaction;

    public override DbParameter AddTime(DbCommand command, string name, DateTimeOffset? value) =>
        command.Add(name, value is { } time ? Format(time) : null, DbType.String);

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => Parse(reader.GetString(ordinal));

    // SQLITE_ERROR "no such table", or SQLITE_CANTOPEN: a tool opens read-only, so a missing file has no tables either.
    public override bool IsMissingTable(DbException exception) =>
        (exception is SqliteException { SqliteErrorCode: 1 } && exception.Message.Contains("no such table", StringComparison.Ordinal))
        || exception is SqliteException { SqliteErrorCode: 14 };

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open until their pool lets go; only this database's pool is cleared.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    public static string Format(DateTimeOffset time) => ToMicroseconds(time).UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
