using System.Security.Cryptography;
using System.Text;

namespace QazBus.Queries;

/// <summary>
/// The request hash every query answer carries (<c>qazbus-request-hash</c>), after X-Road's: the evidence of which
/// question an answer belongs to. base64 of SHA-512 over the UTF-8 bytes of
/// <c>"qazbus-request-v1\n{id}\n{source}\n{dataschema}\n{time}\n{deadline}\n"</c> (the request's CloudEvents headers
/// and <c>qazbus-deadline</c>, as sent) followed by the request body's bytes.
/// </summary>
public static class RequestHash
{
    /// <summary>Computes the hash of a request from its headers as sent and its body.</summary>
    /// <param name="id">CloudEvents <c>id</c>.</param>
    /// <param name="source">CloudEvents <c>source</c>: the requester.</param>
    /// <param name="dataSchema">CloudEvents <c>dataschema</c>: the query and version.</param>
    /// <param name="time">CloudEvents <c>time</c>, the text as sent.</param>
    /// <param name="deadline"><c>qazbus-deadline</c>, the text as sent.</param>
    /// <param name="body">The request body.</param>
    public static string Compute(string id, string source, string dataSchema, string time, string deadline, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(dataSchema);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(deadline);

        // Computed twice per query (by the requester and by the provider): one pooled buffer and a one-shot hash,
        // no hasher object and no intermediate strings.
        var length = Prefix.Length + 5 + Encoding.UTF8.GetMaxByteCount(id.Length + source.Length + dataSchema.Length + time.Length + deadline.Length) + body.Length;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Prefix.Length;
            Prefix.CopyTo(buffer);
            foreach (var part in (ReadOnlySpan<string>)[id, source, dataSchema, time, deadline])
            {
                written += Encoding.UTF8.GetBytes(part, buffer.AsSpan(written));
                buffer[written++] = (byte)'\n';
            }

            body.CopyTo(buffer.AsSpan(written));
            written += body.Length;
            Span<byte> hash = stackalloc byte[SHA512.HashSizeInBytes];
            SHA512.HashData(buffer.AsSpan(0, written), hash);
            return Convert.ToBase64String(hash);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlySpan<byte> Prefix => "qazbus-request-v1\n"u8;
}
