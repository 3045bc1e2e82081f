using System.Security.Cryptography;
using System.Text;

namespace QazBus.Signing;

/// <summary>
/// The QazBus message signature, so any language can produce and check it: ECDSA P-256 with SHA-256, signature in
/// IEEE P1363 form (r‖s, 64 bytes), base64, over the UTF-8 bytes of
/// <c>"qazbus-signature-v1\n{id}\n{source}\n{type}\n{dataschema}\n{time}\n{sha256(body) as lowercase hex}"</c>,
/// followed, on query messages, by <c>"\ndeadline:{qazbus-deadline}"</c> (a request) or
/// <c>"\nrequest-hash:{qazbus-request-hash}"</c> (an answer), so the deadline and the answer's link to its question
/// are signed too. Headers: <c>qazbus-signature</c> (base64) and <c>qazbus-signature-key</c> (the key id in the registry).
/// </summary>
public static class MessageSignature
{
    /// <summary>The header holding the base64 signature.</summary>
    public const string SignatureHeader = "qazbus-signature";

    /// <summary>The header holding the signing key's id.</summary>
    public const string KeyHeader = "qazbus-signature-key";

    /// <summary>Creates a new P-256 key pair: (private key PKCS#8 PEM, public key SubjectPublicKeyInfo PEM).</summary>
    public static (string PrivateKeyPem, string PublicKeyPem) CreateKeyPair()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key.ExportPkcs8PrivateKeyPem(), key.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>The bytes that are signed.</summary>
    public static byte[] SignedData(string id, string source, string type, string dataSchema, string time, ReadOnlySpan<byte> body) =>
        SignedData(id, source, type, dataSchema, time, body, deadline: null, requestHash: null);

    /// <summary>The bytes that are signed, for a query request (<paramref name="deadline"/>) or answer (<paramref name="requestHash"/>).</summary>
    public static byte[] SignedData(string id, string source, string type, string dataSchema, string time, ReadOnlySpan<byte> body, string? deadline, string? requestHash)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        var text = $"qazbus-signature-v1\n{id}\n{source}\n{type}\n{dataSchema}\n{time}\n{Convert.ToHexStringLower(hash)}";
        if (deadline is not null)
        {
            text += "\ndeadline:" + deadline;
        }

        if (requestHash is not null)
        {
            text += "\nrequest-hash:" + requestHash;
        }

        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>Signs with <paramref name="key"/>; returns the base64 signature.</summary>
    public static string Sign(ECDsa key, byte[] signedData)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToBase64String(key.SignData(signedData, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    /// <summary>True when <paramref name="signature"/> is <paramref name="key"/>'s signature of <paramref name="signedData"/>.</summary>
    public static bool Verify(ECDsa key, byte[] signedData, string signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> bytes = stackalloc byte[132];
        return Convert.TryFromBase64String(signature, bytes, out var written)
            && key.VerifyData(signedData, bytes[..written], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
