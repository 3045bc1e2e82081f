using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace QazBus.Storage.Sqlite;

/// <summary>
/// Microsoft.Data.Sqlite has no data source of its own: this one gives SQLite the same shape as Npgsql's
/// (<see cref="DbDataSource.OpenConnectionAsync"/>), so the storage opens connections one way for both databases.
/// </summary>
internal sealed class SqliteDataSource(string connectionString) : DbDataSource
{
    public override string ConnectionString { get; } = connectionString;

    protected override DbConnection CreateDbConnection() => new SqliteConnection(ConnectionString);

    // Pooled connections keep the file open until their pool lets go; only this database's pool is cleared.
    protected override ValueTask DisposeAsyncCore()
    {
        ClearPool();
        return base.DisposeAsyncCore();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ClearPool();
        }

        base.Dispose(disposing);
    }

    private void ClearPool()
    {
        using var connection = new SqliteConnection(ConnectionString);
        SqliteConnection.ClearPool(connection);
    }
}
