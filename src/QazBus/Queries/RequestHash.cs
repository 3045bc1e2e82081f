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
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        sha.AppendData(Encoding.UTF8.GetBytes($"qazbus-request-v1\n{id}\n{source}\n{dataSchema}\n{time}\n{deadline}\n"));
        sha.AppendData(body);
        return Convert.ToBase64String(sha.GetHashAndReset());
    }
}
