using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace QazBus.Storage.Database;

/// <summary>
/// The table names of one storage: <c>{schema}.{prefix}outbox</c> on PostgreSQL, <c>{prefix}outbox</c> on SQLite.
/// Schema and prefix are validated lowercase identifiers, so they go into SQL unquoted.
/// </summary>
internal sealed class StorageNames
{
    public StorageNames(StorageDialect dialect, string schema, string prefix)
    {
        Schema = schema;
        Prefix = prefix;
        Outbox = dialect.Qualify(schema, $"{prefix}outbox");
        Inbox = dialect.Qualify(schema, $"{prefix}inbox");
        MessageLog = dialect.Qualify(schema, $"{prefix}message_log");
        MessageLogHead = dialect.Qualify(schema, $"{prefix}message_log_head");
        SchemaVersion = dialect.Qualify(schema, $"{prefix}schema_version");

        // A NOTIFY channel name is at most 63 bytes: a fixed prefix and a short hash of the table name.
        NotifyChannel = "qazbus_outbox_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Outbox)))[..16];
        OutboxLockClass = LockClass("outbox:" + Outbox);
        SchemaLockClass = LockClass("schema:" + SchemaVersion);
    }

    public string Schema { get; }

    public string Prefix { get; }

    public string Outbox { get; }

    public string Inbox { get; }

    public string MessageLog { get; }

    public string MessageLogHead { get; }

    public string SchemaVersion { get; }

    /// <summary>PostgreSQL: the channel the outbox's insert trigger notifies and the relay listens on.</summary>
    public string NotifyChannel { get; }

    /// <summary>PostgreSQL: the first key of the advisory locks that keep an ordering key on one relay at a time.</summary>
    public int OutboxLockClass { get; }

    /// <summary>PostgreSQL: the advisory lock that serialises schema upgrades of this storage.</summary>
    public int SchemaLockClass { get; }

    /// <summary>Fills the placeholders of a schema script: <c>{schema}</c>, <c>{prefix}</c>, <c>{channel}</c>.</summary>
    public string Apply(string template) => template
        .Replace("{schema}", Schema, StringComparison.Ordinal)
        .Replace("{prefix}", Prefix, StringComparison.Ordinal)
        .Replace("{channel}", NotifyChannel, StringComparison.Ordinal);

    /// <summary>True for a plain lowercase SQL identifier, which goes into SQL unquoted: a-z, 0-9 and '_', not starting with a digit.</summary>
    public static bool IsIdentifier(string? name) =>
        !string.IsNullOrEmpty(name) && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    private static int LockClass(string name) => BinaryPrimitives.ReadInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
}
