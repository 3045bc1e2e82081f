namespace QazBus.Queries;

/// <summary>
/// The provider's own check of a requester's right, after the broker's: the registry's approved requesters of each
/// query. The registry package registers one (<c>UseRegistry()</c>); a system that answers queries does not start
/// without one.
/// </summary>
public interface IQueryAccessPolicy
{
    /// <summary>True when <paramref name="requester"/> is an approved requester of <paramref name="query"/> v<paramref name="version"/>.</summary>
    /// <param name="requester">The asking system id (the request's verified source).</param>
    /// <param name="query">The query (request contract) name.</param>
    /// <param name="version">The major version.</param>
    bool MayAsk(string requester, string query, int version);
}
