using System.Data;
using System.Data.Common;

namespace QazBus.Storage.Database;

/// <summary>Small helpers that keep ADO.NET commands short and their parameter types explicit.</summary>
internal static class DbCommandExtensions
{
    /// <summary>Adds a parameter; null becomes DBNull with the given type, so a prepared statement keeps one signature.</summary>
    public static DbParameter Add(this DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public static DbParameter AddText(this DbCommand command, string name, string? value) => command.Add(name, value, DbType.String);

    public static DbParameter AddInt32(this DbCommand command, string name, int? value) => command.Add(name, value, DbType.Int32);

    public static DbParameter AddInt64(this DbCommand command, string name, long? value) => command.Add(name, value, DbType.Int64);

    public static DbParameter AddBytes(this DbCommand command, string name, byte[]? value) => command.Add(name, value, DbType.Binary);

    public static DbParameter AddBoolean(this DbCommand command, string name, bool value) => command.Add(name, value, DbType.Boolean);

    /// <summary>Creates a command on <paramref name="connection"/> in <paramref name="transaction"/>.</summary>
    public static DbCommand Command(this DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // Storage SQL: table names are validated identifiers; values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        return command;
    }

    /// <summary>Runs a statement without results.</summary>
    public static async Task ExecuteAsync(this DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        var command = connection.Command(transaction, sql);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a query and returns the first column of its first row.</summary>
    public static async Task<object?> ScalarAsync(this DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        var command = connection.Command(transaction, sql);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static string? GetNullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static int? GetNullableInt32(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
}
