using QazBus.Configuration;
using QazBus.Storage.Configuration;

namespace QazBus.Storage.Database;

/// <summary>
/// How many storage connections one process may hold at once, and how many it needs. A stock PostgreSQL allows 100
/// connections for every client together; a worker whose pool is sized by Npgsql's default (100) can take them all and
/// fail its neighbours with <c>53300: sorry, too many clients already</c>. So the pool is bounded by what the worker's
/// own concurrency needs, and a configured bound below that need stops the host at start, not at the first busy hour.
/// </summary>
internal static class ConnectionBudget
{
    /// <summary>Connections outside the handlers: relay, its LISTEN connection, message log writer, retention, health probe.</summary>
    public const int Reserved = 5;

    /// <summary>The most connections handled messages and the storage's background work hold at the same time.</summary>
    public static int Needed(StorageOptions storage, QazBusOptions bus, int endpoints) =>
        (storage.Inbox.Enabled ? Math.Max(1, bus.ConcurrencyLimit) * endpoints : 0) + Reserved;

    /// <summary>The configured bound: <see cref="StorageOptions.MaxConnections"/>, else a non-default pool size in the connection string; null when neither is set.</summary>
    public static int? Configured(StorageOptions storage) => storage.MaxConnections ?? storage.Dialect.PoolSize(storage.EffectiveConnectionString);

    /// <summary>The pool size to use: the configured bound, else exactly what is needed.</summary>
    public static int PoolSize(StorageOptions storage, QazBusOptions bus, int endpoints) =>
        Configured(storage) ?? Needed(storage, bus, endpoints);
}
