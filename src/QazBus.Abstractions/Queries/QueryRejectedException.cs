namespace QazBus.Queries;

/// <summary>
/// A query was answered with a rejection instead of data. A provider's handler throws it (or one of its subclasses)
/// to reject; the requester catches the same type, with the provider's code and message.
/// </summary>
public class QueryRejectedException : Exception
{
    /// <summary>A rejection with a code and the provider's message.</summary>
    /// <param name="code">Why the query was not answered with data.</param>
    /// <param name="message">The provider's explanation; it travels to the requester, so it must not contain personal data.</param>
    public QueryRejectedException(QueryRejectionCode code, string message)
        : base(message) => Code = code;

    /// <summary>Why the query was not answered with data.</summary>
    public QueryRejectionCode Code { get; }

    /// <summary>The query's request id, when the rejection was received from a provider.</summary>
    public string? RequestId { get; init; }

    /// <summary>The system that rejected the query, when received from a provider.</summary>
    public string? Provider { get; init; }

    /// <summary>The exception of <paramref name="code"/>: <see cref="AccessDeniedException"/> for <see cref="QueryRejectionCode.AccessDenied"/>, and so on.</summary>
    /// <param name="code">The rejection code.</param>
    /// <param name="message">The provider's message.</param>
    /// <param name="requestId">The request's id.</param>
    /// <param name="provider">The rejecting system.</param>
    public static QueryRejectedException Create(QueryRejectionCode code, string message, string? requestId = null, string? provider = null) => code switch
    {
        QueryRejectionCode.AccessDenied => new AccessDeniedException(message) { RequestId = requestId, Provider = provider },
        QueryRejectionCode.NoData => new NoDataException(message) { RequestId = requestId, Provider = provider },
        QueryRejectionCode.InvalidRequest => new InvalidRequestException(message) { RequestId = requestId, Provider = provider },
        QueryRejectionCode.Expired => new QueryExpiredException(message) { RequestId = requestId, Provider = provider },
        _ => new QueryFailureException(message) { RequestId = requestId, Provider = provider },
    };
}

/// <summary>The requester may not ask this query: no approved right in the registry, or its sender or signature did not verify.</summary>
/// <param name="message">The provider's explanation.</param>
public sealed class AccessDeniedException(string message) : QueryRejectedException(QueryRejectionCode.AccessDenied, message);

/// <summary>The provider has no data for the question (no citizen with this IIN).</summary>
/// <param name="message">The provider's explanation, without personal data.</param>
public sealed class NoDataException(string message) : QueryRejectedException(QueryRejectionCode.NoData, message);

/// <summary>The request was malformed, broke the request contract, or named a query or version the provider does not answer.</summary>
/// <param name="message">What is wrong, naming the field or header.</param>
public sealed class InvalidRequestException(string message) : QueryRejectedException(QueryRejectionCode.InvalidRequest, message);

/// <summary>The provider failed to answer.</summary>
/// <param name="message">The provider's explanation.</param>
public sealed class QueryFailureException(string message) : QueryRejectedException(QueryRejectionCode.Failure, message);

/// <summary>The request's deadline passed before the provider handled it; it was not handled.</summary>
/// <param name="message">When the deadline was and when the provider saw the request.</param>
public sealed class QueryExpiredException(string message) : QueryRejectedException(QueryRejectionCode.Expired, message);

/// <summary>No answer reached the requester before its timeout. A later answer is dropped (and logged).</summary>
public sealed class QueryTimeoutException : TimeoutException
{
    /// <summary>A timeout of request <paramref name="requestId"/> for <paramref name="query"/> after <paramref name="timeout"/>.</summary>
    /// <param name="query">The query name and version.</param>
    /// <param name="requestId">The request id.</param>
    /// <param name="timeout">How long the requester waited.</param>
    public QueryTimeoutException(string query, string requestId, TimeSpan timeout)
        : base($"No answer to query '{query}' (request {requestId}) within {timeout}.")
    {
        Query = query;
        RequestId = requestId;
        Timeout = timeout;
    }

    /// <summary>The query name and version.</summary>
    public string Query { get; }

    /// <summary>The request id.</summary>
    public string RequestId { get; }

    /// <summary>How long the requester waited.</summary>
    public TimeSpan Timeout { get; }
}
