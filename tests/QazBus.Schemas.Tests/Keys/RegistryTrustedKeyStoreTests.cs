using System.Security.Cryptography;
using QazBus.Schemas.Keys;
using QazBus.Schemas.Registry;

namespace QazBus.Schemas.Tests.Keys;

public sealed class RegistryTrustedKeyStoreTests
{
    [Fact]
    public void ECDSA_keys_are_trusted_until_their_last_day_and_an_RSA_key_is_left_out_rather_than_failing_the_store()
    {
        using var current = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var expired = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        RegistryPublicKey Key(string id, string algorithm, byte[] spki, DateOnly? notAfter = null) =>
            new() { Id = id, Algorithm = algorithm, Key = Convert.ToBase64String(spki), NotAfter = notAfter };
        var registry = new BusRegistry
        {
            Agencies = [],
            Contracts = [],
            Systems =
            [
                new RegistrySystem
                {
                    Id = "mju.population-registry",
                    Name = "Population registry",
                    Owner = "Registry team",
                    PublicKeys =
                    [
                        Key("2026-12", PublicKeyAlgorithms.EcdsaP256, current.ExportSubjectPublicKeyInfo(), new DateOnly(2026, 12, 31)),
                        Key("2025-01", PublicKeyAlgorithms.EcdsaP256, expired.ExportSubjectPublicKeyInfo(), new DateOnly(2026, 12, 2)),
                        Key("rsa-1", PublicKeyAlgorithms.Rsa, rsa.ExportSubjectPublicKeyInfo()),
                    ],
                },
            ],
        };

        using var store = RegistryTrustedKeyStore.From(registry, new DateOnly(2026, 12, 3));

        Assert.NotNull(store.Find("mju.population-registry", "2026-12"));
        Assert.Null(store.Find("mju.population-registry", "2025-01"));
        Assert.Null(store.Find("mju.population-registry", "rsa-1"));
    }
}
