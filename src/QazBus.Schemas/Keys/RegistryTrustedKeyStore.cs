using QazBus.Schemas.Registry;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using QazBus.Runtime;
using QazBus.Signing;

namespace QazBus.Schemas.Keys;

/// <summary>The systems' public signing keys as the registry publishes them; expired keys (past <c>notAfter</c>) are not trusted.</summary>
public sealed class RegistryTrustedKeyStore : ITrustedKeyStore, IDisposable
{
    private readonly Dictionary<(string System, string KeyId), ECDsa> _keys;

    private RegistryTrustedKeyStore(Dictionary<(string, string), ECDsa> keys) => _keys = keys;

    /// <summary>Reads the keys from a registry.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="today">Keys whose <c>notAfter</c> is before this day are left out.</param>
    public static RegistryTrustedKeyStore From(BusRegistry registry, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var keys = new Dictionary<(string, string), ECDsa>();
        foreach (var system in registry.Systems)
        {
            // Signatures are ECDSA (MessageSignature): an RSA key in the registry verifies nothing here, and importing
            // it as ECDSA would throw for every system that loads the registry.
            foreach (var key in system.PublicKeys.Where(k => k.Algorithm != PublicKeyAlgorithms.Rsa && (k.NotAfter is null || k.NotAfter >= today)))
            {
                var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(key.Key), out _);
                keys[(system.Id, key.Id)] = ecdsa;
            }
        }

        return new RegistryTrustedKeyStore(keys);
    }

    /// <summary>Reads the registry file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">The file cannot be read; the message names the place.</exception>
    public static RegistryTrustedKeyStore Load(string path, DateOnly today)
    {
        if (!RegistryDocument.TryParse(File.ReadAllText(path), out var document, out var problem))
        {
            throw new InvalidOperationException($"{path}:{problem!.Line}: {problem.Path}: {problem.Message}");
        }

        return From(document!.Registry, today);
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

/// <summary>Registration of the registry's keys.</summary>
public static class RegistryKeysBuilderExtensions
{
    /// <summary>Verifies incoming signatures against the public keys of the registry file at <paramref name="registryPath"/>.</summary>
    public static QazBusBuilder AddRegistryKeys(this QazBusBuilder builder, string registryPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(registryPath);
        builder.Services.TryAddSingleton<ITrustedKeyStore>(provider =>
            RegistryTrustedKeyStore.Load(registryPath, DateOnly.FromDateTime(provider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime)));
        return builder;
    }
}
