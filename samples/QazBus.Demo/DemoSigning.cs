using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace QazBus.Demo;

/// <summary>
/// Signing for one run, by configuration alone: a fresh ECDSA P-256 key pair per agency (as <c>qazbus keys new</c>
/// makes), its private key in a file only this run reads, and a copy of the registry with both public keys, which
/// each agency's <c>UseRegistry()</c> trusts (<c>QazBus:Registry</c>). With <c>QazBus:Signing:Mode=Required</c> every
/// message and answer is signed and every one received is verified; the folder is deleted after the run.
/// </summary>
internal sealed class DemoSigning : IDisposable
{
    public const string KeyId = "demo";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"qazbus-demo-keys-{Guid.NewGuid():N}");

    public DemoSigning(string registryFile)
    {
        Directory.CreateDirectory(_folder);
        var registry = JsonNode.Parse(File.ReadAllText(registryFile))!.AsObject();
        foreach (var system in registry["systems"]!.AsArray().Select(s => s!.AsObject()).Where(s => s["id"]!.GetValue<string>() is Scenario.RegistrySystem or Scenario.TaxOfficeSystem))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var id = system["id"]!.GetValue<string>();
            File.WriteAllText(PrivateKeyOf(id), key.ExportPkcs8PrivateKeyPem());
            system["publicKeys"] = new JsonArray(new JsonObject
            {
                ["id"] = KeyId,
                ["algorithm"] = "ecdsa-p256",
                ["key"] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()),
            });
        }

        RegistryFile = Path.Combine(_folder, "registry.json");
        File.WriteAllText(RegistryFile, registry.ToJsonString());
    }

    /// <summary>The registry copy with the run's public keys.</summary>
    public string RegistryFile { get; }

    /// <summary>The signing settings of <paramref name="system"/>.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings(string system) =>
    [
        new("QazBus:Registry", RegistryFile),
        new("QazBus:Signing:Mode", "Required"),
        new("QazBus:Signing:KeyId", KeyId),
        new("QazBus:Signing:PrivateKeyPath", PrivateKeyOf(system)),
    ];

    private string PrivateKeyOf(string system) => Path.Combine(_folder, $"{system}.pem");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a host being disposed: the temp folder is cleaned up by the system.
        }
    }
}
