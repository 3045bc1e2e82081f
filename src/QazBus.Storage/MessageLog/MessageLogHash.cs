using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace QazBus.Storage.MessageLog;

/// <summary>
/// The hash chain of the message log. Each row's hash is SHA-256 over its canonical form followed by the previous
/// row's hash, so changing or removing any row breaks every hash after it.
/// </summary>
/// <remarks>
/// Canonical form, version 1, so that an auditor can recompute it in any language: a sequence of fields, each
/// written as a 4-byte big-endian length (−1 for NULL) followed by that many bytes:
/// <c>"qazbus-message-log-v1"</c>, seq (int64 BE), time (microseconds since 1970-01-01 UTC, int64 BE), system,
/// outcome, message_id, contract, version (int32 BE), source, destination, correlation_id, trace_parent, reason
/// (strings UTF-8), attempts (int32 BE), payload_hash (32 bytes), payload_logged (1 byte, 0 or 1), prev_hash (32 bytes).
/// The first row's prev_hash is 32 zero bytes. The payload is covered through payload_hash. A row of a query's request
/// or answer (schema version 2) appends its request_hash (string) after prev_hash; rows without one are hashed exactly
/// as before, so chains written before version 2 still verify.
/// </remarks>
internal static class MessageLogHash
{
    private static readonly byte[] Tag = Encoding.ASCII.GetBytes("qazbus-message-log-v1");

    /// <summary>The previous hash of the first row: 32 zero bytes, as lowercase hex.</summary>
    public static string Genesis { get; } = new('0', 64);

    /// <summary>The hash of <paramref name="row"/> after its <see cref="MessageLogEntry.PreviousHash"/>, as lowercase hex.</summary>
    public static string Compute(MessageLogEntry row)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Bytes(sha, Tag);
        Int64(sha, row.Sequence);
        Int64(sha, (row.Time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        Text(sha, row.System);
        Text(sha, row.Outcome);
        Text(sha, row.MessageId);
        Text(sha, row.Contract);
        Int32(sha, row.Version);
        Text(sha, row.Source);
        Text(sha, row.Destination);
        Text(sha, row.CorrelationId);
        Text(sha, row.TraceParent);
        Text(sha, row.Reason);
        Int32(sha, row.Attempts);
        Bytes(sha, Convert.FromHexString(row.PayloadHash));
        Bytes(sha, [row.PayloadLogged ? (byte)1 : (byte)0]);
        Bytes(sha, Convert.FromHexString(row.PreviousHash));
        if (row.RequestHash is not null)
        {
            Text(sha, row.RequestHash);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void Length(IncrementalHash sha, int length)
    {
        Span<byte> prefix = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        sha.AppendData(prefix);
    }

    private static void Bytes(IncrementalHash sha, ReadOnlySpan<byte> value)
    {
        Length(sha, value.Length);
        sha.AppendData(value);
    }

    private static void Text(IncrementalHash sha, string? value)
    {
        if (value is null)
        {
            Length(sha, -1);
            return;
        }

        Bytes(sha, Encoding.UTF8.GetBytes(value));
    }

    private static void Int64(IncrementalHash sha, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        Bytes(sha, bytes);
    }

    private static void Int32(IncrementalHash sha, int? value)
    {
        if (value is not { } number)
        {
            Length(sha, -1);
            return;
        }

        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, number);
        Bytes(sha, bytes);
    }
}
