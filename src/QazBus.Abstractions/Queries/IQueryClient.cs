namespace QazBus.Queries;

/// <summary>Asks queries of other agencies' systems: the requester's side.</summary>
public interface IQueryClient
{
    /// <summary>
    /// Asks and waits for the answer (the synchronous form, over RabbitMQ's direct reply-to): returns the response,
    /// or throws the provider's rejection (<see cref="NoDataException"/>, <see cref="AccessDeniedException"/>,
    /// <see cref="InvalidRequestException"/>, <see cref="QueryFailureException"/>, <see cref="QueryExpiredException"/>),
    /// or <see cref="QueryTimeoutException"/> when no answer came within <paramref name="timeout"/>, which is also the
    /// request's deadline: the provider does not handle it later.
    /// </summary>
    /// <typeparam name="TRequest">The request contract record.</typeparam>
    /// <typeparam name="TResponse">The response contract record.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="timeout">How long to wait; the request's deadline is now + timeout.</param>
    /// <param name="options">Optional request id and correlation id.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    Task<TResponse> RequestAsync<TRequest, TResponse>(TRequest request, TimeSpan timeout, RequestOptions? options = null, CancellationToken cancellationToken = default)
        where TRequest : class, IQuery<TResponse>
        where TResponse : class;

    /// <summary>
    /// Asks without waiting (the asynchronous form, for answers that take hours): returns the request id once the
    /// broker has the request. The answer goes to this system's durable reply queue <c>{system}.replies</c> and to the
    /// <see cref="IQueryResponseHandler{TRequest, TResponse}"/> registered for the query, correlated by the request id;
    /// it survives a restart of either side.
    /// </summary>
    /// <typeparam name="TRequest">The request contract record.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="timeToLive">The request's end of life: a provider that sees it later answers <see cref="QueryRejectionCode.Expired"/>.</param>
    /// <param name="options">Optional request id and correlation id.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker's confirm.</param>
    /// <returns>The request id.</returns>
    Task<string> SendRequestAsync<TRequest>(TRequest request, TimeSpan timeToLive, RequestOptions? options = null, CancellationToken cancellationToken = default)
        where TRequest : class;
}

/// <summary>Optional per-request settings.</summary>
public sealed record RequestOptions
{
    /// <summary>The request id (CloudEvents <c>id</c>). Default: a new UUID v7. Set it to make a retried asynchronous request idempotent.</summary>
    public string? RequestId { get; init; }

    /// <summary>Links the request to a business case (an application number). Default: none.</summary>
    public string? CorrelationId { get; init; }
}
