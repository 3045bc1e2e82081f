using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace QazBus.Signing;

/// <summary>
/// The public keys each system signs with, as published in the registry. Two keys per system may be valid at
/// once during a key rotation.
/// </summary>
public interface ITrustedKeyStore
{
    /// <summary>The public key <paramref name="keyId"/> of <paramref name="systemId"/>, or null when the registry has none.</summary>
    ECDsa? Find(string systemId, string keyId);
}

/// <summary>A trusted key store filled in code: for tests, tools and embedded use. Production reads the registry.</summary>
public sealed class InMemoryTrustedKeyStore : ITrustedKeyStore, IDisposable
{
    private readonly ConcurrentDictionary<(string System, string KeyId), ECDsa> _keys = new();

    /// <summary>Trusts <paramref name="publicKeyPem"/> (SubjectPublicKeyInfo PEM) as <paramref name="keyId"/> of <paramref name="systemId"/>.</summary>
    public InMemoryTrustedKeyStore Add(string systemId, string keyId, string publicKeyPem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(publicKeyPem);
        _keys[(systemId, keyId)] = key;
        return this;
    }

    /// <inheritdoc />
    public ECDsa? Find(string systemId, string keyId) => _keys.TryGetValue((systemId, keyId), out var key) ? key : null;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
