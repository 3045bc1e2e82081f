using System.Data;
using System.Data.Common;
using Npgsql;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;

namespace QazBus.Storage.Postgres;

/// <summary>PostgreSQL through one Npgsql data source, with automatic statement preparation on its connections.</summary>
internal sealed class PostgresDatabase : StorageDatabase
{
    public PostgresDatabase(StorageOptions options, int? maxConnections = null)
        : base(options)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString);
        if (maxConnections is { } max)
        {
            builder.MaxPoolSize = max;
            builder.MinPoolSize = Math.Min(builder.MinPoolSize, max);
        }

        // The relay, the inbox and the log run the same few statements all day: prepare them once per physical
        // connection (Npgsql keeps them across pooled opens), unless the connection string says otherwise.
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        builder.ApplicationName ??= "qazbus";
        DataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override StorageProvider Provider => StorageProvider.Postgres;

    public NpgsqlDataSource DataSource { get; }

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override bool Accepts(DbTransaction transaction) => transaction is NpgsqlTransaction;

    // DbType.DateTimeOffset is timestamptz for Npgsql, which takes UTC values.
    public override DbParameter AddTime(DbCommand command, string name, DateTimeOffset? value) =>
        command.Add(name, value is { } time ? ToMicroseconds(time) : null, DbType.DateTimeOffset);

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public override bool IsMissingTable(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable };

    public override ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
