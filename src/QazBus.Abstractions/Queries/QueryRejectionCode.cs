namespace QazBus.Queries;

/// <summary>
/// Why a provider did not answer a query with data; SMEV 3's rejection codes, plus the end of life of a request.
/// On the wire each code is the lowercase text in <see cref="QueryRejection"/>.
/// </summary>
public enum QueryRejectionCode
{
    /// <summary>The requester has no approved right to ask this query, or its sender or signature did not verify (<c>access-denied</c>).</summary>
    AccessDenied,

    /// <summary>The provider has no data for this question (<c>no-data</c>).</summary>
    NoData,

    /// <summary>The request is malformed, breaks the request contract, or names a query or version the provider does not answer (<c>invalid-request</c>).</summary>
    InvalidRequest,

    /// <summary>The provider failed to answer (<c>failure</c>).</summary>
    Failure,

    /// <summary>The request's deadline passed before the provider handled it; it was not handled (<c>expired</c>).</summary>
    Expired,
}
