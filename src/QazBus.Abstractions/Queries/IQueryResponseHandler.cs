namespace QazBus.Queries;

/// <summary>
/// Receives the answers to this system's asynchronous requests of one query (<see cref="IQueryClient.SendRequestAsync{TRequest}"/>),
/// from its durable reply queue. Register it with <c>AddQueryResponseHandler&lt;TRequest, TResponse, THandler&gt;()</c>.
/// </summary>
/// <remarks>Like an event handler: retried, dead-lettered when it keeps failing, and guarded by the inbox when storage is on.</remarks>
/// <typeparam name="TRequest">The request contract record.</typeparam>
/// <typeparam name="TResponse">The response contract record.</typeparam>
public interface IQueryResponseHandler<TRequest, TResponse>
    where TRequest : class, IQuery<TResponse>
    where TResponse : class
{
    /// <summary>Handles one answer: a response or a rejection.</summary>
    /// <param name="answer">The answer, correlated with its request by <see cref="QueryAnswer{TResponse}.RequestId"/>.</param>
    /// <param name="context">The answer message's headers (its source is the provider).</param>
    /// <param name="cancellationToken">Signalled when the host stops.</param>
    Task HandleAsync(QueryAnswer<TResponse> answer, Handling.MessageContext context, CancellationToken cancellationToken);
}

/// <summary>An answer to an asynchronous request: the response, or the provider's rejection.</summary>
/// <typeparam name="TResponse">The response contract record.</typeparam>
public sealed record QueryAnswer<TResponse>
    where TResponse : class
{
    /// <summary>The id of the request this answers.</summary>
    public required string RequestId { get; init; }

    /// <summary>The request hash the provider computed (<c>qazbus-request-hash</c>): evidence of which question this answers.</summary>
    public required string RequestHash { get; init; }

    /// <summary>The providing system.</summary>
    public required string Provider { get; init; }

    /// <summary>The response, when the query was answered with data.</summary>
    public TResponse? Response { get; init; }

    /// <summary>The rejection, when it was not.</summary>
    public QueryRejectedException? Rejection { get; init; }

    /// <summary>True when <see cref="Response"/> is set.</summary>
    public bool IsAnswered => Response is not null;
}
