using System.Security.Cryptography;
using System.Text;
using QazBus.Schemas.Hosting;
using QazBus.Schemas.Registry;

namespace QazBus.Gateway.Authentication;

/// <summary>
/// The registry as the gateway needs it, kept current with the file (<see cref="RegistryRights"/>): which system a
/// credential belongs to, and what each system may publish and ask.
/// </summary>
internal sealed class GatewayClients(RegistryRights rights)
{
    private volatile View? _view;

    /// <summary>The registry in force.</summary>
    public BusRegistry Registry => Current().Registry;

    /// <summary>The system whose API key is <paramref name="apiKey"/>, or null.</summary>
    public string? SystemOfApiKey(string apiKey)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
        return Current().ApiKeys.GetValueOrDefault(hash);
    }

    /// <summary>True when <paramref name="system"/> is a registered publisher of the contract version.</summary>
    public bool MayPublish(string system, string contract, int version) =>
        Registry.Contracts.Any(c => c.Name == contract && c.Publishers.Contains(system) && c.Versions.Any(v => v.Version == version));

    /// <summary>True when <paramref name="system"/> is an approved requester of the query version.</summary>
    public bool MayAsk(string system, string query, int version) =>
        Registry.Queries.Any(q => q.Query == query && q.Version == version && q.Requesters.Any(r => r.System == system));

    private View Current()
    {
        var registry = rights.Registry;
        var view = _view;
        if (view is not null && ReferenceEquals(view.Registry, registry))
        {
            return view;
        }

        // The registry file changed (a key added or revoked): index its credentials again.
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var system in registry.Systems)
        {
            foreach (var key in system.Gateway?.ApiKeys ?? [])
            {
                keys.TryAdd(key.Sha256.ToLowerInvariant(), system.Id);
            }
        }

        _view = view = new View(registry, keys);
        return view;
    }

    private sealed record View(BusRegistry Registry, Dictionary<string, string> ApiKeys);
}
