using QazBus.Queries;
using QazBus.Schemas.Registry;

namespace QazBus.Schemas.Queries;

/// <summary>
/// The registry's approved requesters of each query version (<c>$.queries[].requesters</c>): the provider's own check
/// of a requester's right, after the broker's. <c>UseRegistry()</c> registers one from the file at <c>QazBus:Registry</c>.
/// </summary>
public sealed class RegistryQueryAccessPolicy : IQueryAccessPolicy
{
    private readonly HashSet<(string Requester, string Query, int Version)> _rights = [];

    /// <summary>Takes the approved requesters from <paramref name="registry"/>.</summary>
    /// <param name="registry">The registry; it should have passed <c>registry check</c>.</param>
    public RegistryQueryAccessPolicy(BusRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var query in registry.Queries)
        {
            foreach (var requester in query.Requesters)
            {
                _rights.Add((requester.System, query.Query, query.Version));
            }
        }
    }

    /// <inheritdoc />
    public bool MayAsk(string requester, string query, int version)
    {
        ArgumentNullException.ThrowIfNull(requester);
        ArgumentNullException.ThrowIfNull(query);
        return _rights.Contains((requester, query, version));
    }
}
