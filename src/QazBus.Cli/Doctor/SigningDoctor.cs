using System.Security.Cryptography;
using System.Text.Json;
using QazBus.Schemas.Keys;
using QazBus.Schemas.Registry;
using QazBus.Signing;

namespace QazBus.Cli.Doctor;

/// <summary>
/// The signing part of <c>qazbus doctor</c>: the system's private key loads as its host loads it, and a signature made
/// with it verifies against the registry's public key of that id, as every consumer will verify it.
/// </summary>
internal static class SigningDoctor
{
    /// <summary>Checks the key at <paramref name="keyPath"/> (shown as <paramref name="shown"/>) against <paramref name="system"/>'s key <paramref name="keyId"/>.</summary>
    public static void Check(Findings findings, BusRegistry registry, RegistrySystem system, string keyPath, string shown, string keyId, DateOnly today)
    {
        using var key = ECDsa.Create();
        try
        {
            // As the host's signer reads QazBus:Signing:PrivateKeyPath.
            key.ImportFromPem(File.ReadAllText(keyPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            findings.Fail($"signing key {shown}: not a readable PKCS#8 PEM private key ({ex.GetType().Name}): create one with qazbus keys new --system {system.Id} --key-id {keyId} --out FILE and add the public key it prints to the registry");
            return;
        }

        findings.Ok($"signing key {shown}: loads (ECDSA, {key.KeySize.ToString(CultureInfo.InvariantCulture)} bits)");

        // The entry this key needs, in the form `qazbus keys new` prints, so the fix can be pasted as it is.
        var entry = JsonSerializer.Serialize(new { id = keyId, algorithm = PublicKeyAlgorithms.EcdsaP256, key = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()) }, Wire.BusJson.Options);
        var fix = $"add the public key printed by qazbus keys new to the registry's \"publicKeys\" of {system.Id}; for this key: {entry}";
        if (system.PublicKeys.FirstOrDefault(k => k.Id == keyId) is not { } registered)
        {
            findings.Fail($"signing key {shown}: the registry has no public key '{keyId}' for {system.Id}, so every consumer would dead-letter its messages (signature-invalid): {fix}");
            return;
        }

        if (registered.NotAfter is { } notAfter && notAfter < today)
        {
            findings.Fail($"signing key {shown}: the registry's public key '{keyId}' of {system.Id} expired on {notAfter:yyyy-MM-dd}: create a new key with qazbus keys new and add its public key to the registry");
            return;
        }

        // The consumers' own key store, so the registry entry is read exactly as they read it.
        RegistryTrustedKeyStore trusted;
        try
        {
            trusted = RegistryTrustedKeyStore.From(new BusRegistry { Agencies = registry.Agencies, Systems = [system], Contracts = registry.Contracts }, today);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            findings.Fail($"signing key {shown}: the registry's key '{keyId}' of {system.Id} is not a public key QazBus can read ({ex.GetType().Name}): {fix}");
            return;
        }

        using var keys = trusted;
        if (keys.Find(system.Id, keyId) is not { } publicKey)
        {
            findings.Fail($"signing key {shown}: the registry's key '{keyId}' of {system.Id} is {registered.Algorithm}, which QazBus does not verify: {fix}");
            return;
        }

        var probe = MessageSignature.SignedData("qazbus-doctor", system.Id, "qazbus.doctor", "urn:qazbus:doctor", today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "{}"u8);
        if (!MessageSignature.Verify(publicKey, probe, MessageSignature.Sign(key, probe)))
        {
            findings.Fail($"signing key {shown}: does not match the registry's public key '{keyId}' of {system.Id}, so every consumer would dead-letter its messages (signature-invalid): {fix}");
            return;
        }

        findings.Ok($"signing key {shown}: matches the registry's public key '{keyId}' of {system.Id}");
    }
}
