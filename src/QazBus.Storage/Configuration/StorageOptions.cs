namespace QazBus.Storage.Configuration;

/// <summary>
/// The <c>QazBus:Storage</c> section: where the outbox, the inbox and the message log live, and how the relay
/// runs. Validated at start-up: a bad value stops the host with a message naming its key.
/// </summary>
/// <example>
/// <code>
/// "QazBus": {
///   "Storage": {
///     "Provider": "Postgres",
///     "ConnectionString": "Host=db.mju.local;Database=registry;Username=registry;Password=…",
///     "Schema": "qazbus",
///     "Relay": { "BatchSize": 200, "PollInterval": "00:00:01" },
///     "Outbox": { "SentRetention": "1.00:00:00" },
///     "Inbox": { "Retention": "7.00:00:00" },
///     "MessageLog": { "MetadataOnly": [ "mju.population.citizen-registered" ] }
///   }
/// }
/// </code>
/// </example>
public sealed class StorageOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "QazBus:Storage";

    /// <summary>The database: <see cref="StorageProvider.Sqlite"/> (the embedded default) or <see cref="StorageProvider.Postgres"/>.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>
    /// The ADO.NET connection string: Npgsql's for PostgreSQL, Microsoft.Data.Sqlite's for SQLite
    /// (default <c>Data Source=qazbus.db</c>). Required for PostgreSQL. Business code must write to the same database.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>PostgreSQL only: the schema of the tables, created when missing. Default <c>public</c>.</summary>
    public string Schema { get; set; } = "public";

    /// <summary>The prefix of every table name: <c>{prefix}outbox</c>, <c>{prefix}inbox</c>, <c>{prefix}message_log</c>. Default <c>qazbus_</c>.</summary>
    public string TablePrefix { get; set; } = "qazbus_";

    /// <summary>
    /// Create and upgrade the tables at start-up (default). When false, a DBA runs the scripts
    /// (<see cref="Schema.StorageSchema.Script"/>) and start-up only checks the schema version.
    /// </summary>
    public bool CreateSchema { get; set; } = true;

    /// <summary>The outbox.</summary>
    public OutboxOptions Outbox { get; set; } = new();

    /// <summary>The relay that publishes outbox rows.</summary>
    public RelayOptions Relay { get; set; } = new();

    /// <summary>The inbox consume filter.</summary>
    public InboxOptions Inbox { get; set; } = new();

    /// <summary>The message log.</summary>
    public MessageLogOptions MessageLog { get; set; } = new();

    /// <summary>How often the retention job deletes sent outbox rows and old inbox rows. Default 1 minute.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// PostgreSQL only: the most connections this process opens to the storage database, in one pool shared by the
    /// inbox, the outbox relay and its listener, the message log, retention and health. A caller that finds the pool
    /// exhausted waits for a connection (up to the connection string's <c>Timeout</c>) instead of opening another.
    /// Default: the connection string's <c>Maximum Pool Size</c> when it sets one, else what this worker needs
    /// (<c>QazBus:ConcurrencyLimit</c> × endpoints through the inbox, plus 5). Checked at start-up against that need.
    /// Keep the sum over all processes below the server's <c>max_connections</c> (100 on a stock PostgreSQL).
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>The connection string, or the SQLite default.</summary>
    internal string EffectiveConnectionString =>
        string.IsNullOrWhiteSpace(ConnectionString) ? Dialect.DefaultConnectionString ?? string.Empty : ConnectionString;

    /// <summary>What differs on <see cref="Provider"/>'s database.</summary>
    internal Database.StorageDialect Dialect => Database.StorageDialect.For(Provider);
}

/// <summary>Which database holds the storage tables.</summary>
public enum StorageProvider
{
    /// <summary>SQLite in a local file, through Microsoft.Data.Sqlite: the embedded default for one process.</summary>
    Sqlite,

    /// <summary>PostgreSQL through Npgsql: production; several processes may share it.</summary>
    Postgres,
}

/// <summary>The <c>QazBus:Storage:Outbox</c> section.</summary>
public sealed class OutboxOptions
{
    /// <summary>
    /// How long a sent row is kept (for operators looking into what was sent) before the retention job deletes it.
    /// <c>00:00:00</c> deletes a row as soon as the broker confirmed it, the fastest setting. Default 1 hour.
    /// </summary>
    public TimeSpan SentRetention { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>The <c>QazBus:Storage:Relay</c> section.</summary>
public sealed class RelayOptions
{
    /// <summary>Run the relay in this process (default). Turn off in processes that only enqueue.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many rows one relay claims and publishes at once, with confirms in flight together. Default 200.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// How often the relay looks for rows when nothing woke it. On PostgreSQL a NOTIFY wakes it at once, so this is
    /// the fallback; on SQLite an enqueue in this process wakes it, other writers are found by polling. Default 1 s.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one batch may take to be confirmed before its unconfirmed rows are given back and retried.
    /// On SQLite claimed rows are leased for twice this, so a relay that died frees its rows after that. Default 30 s.
    /// </summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest pause between attempts while the broker or the database is away. Default 30 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The <c>QazBus:Storage:Inbox</c> section.</summary>
public sealed class InboxOptions
{
    /// <summary>Drop duplicates at every endpoint of this system (default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long a handled message id is remembered. Must outlast every redelivery of a message (the longest retry
    /// delay plus broker outages). Default 7 days.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>The <c>QazBus:Storage:MessageLog</c> section.</summary>
public sealed class MessageLogOptions
{
    /// <summary>Record every message sent and received (default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Contract names whose payload is not stored, only its SHA-256 hash and the metadata (for contracts whose
    /// bodies carry data the log must not keep). <c>"*"</c> means every contract.
    /// </summary>
    public List<string> MetadataOnly { get; set; } = [];
}
