namespace QazBus.Queries;

/// <summary>
/// Answers one query at one endpoint of the providing system. Register it with
/// <c>AddQueryHandler&lt;TRequest, TResponse, THandler&gt;(endpoint)</c>.
/// </summary>
/// <remarks>
/// Return the response, or throw a <see cref="QueryRejectedException"/> (<see cref="NoDataException"/>, …) to
/// reject; both are sent to the requester. The bus answers for the handler when the request is bad, expired or not
/// allowed, and with <see cref="QueryRejectionCode.Failure"/> when the handler threw anything else on every attempt.
/// A query is a question, not a command: a request may be answered more than once (at-least-once delivery), so a
/// handler must not change state; query endpoints have no inbox.
/// </remarks>
/// <typeparam name="TRequest">The request contract record.</typeparam>
/// <typeparam name="TResponse">The response contract record.</typeparam>
public interface IQueryHandler<in TRequest, TResponse>
    where TRequest : class, IQuery<TResponse>
    where TResponse : class
{
    /// <summary>Answers one request.</summary>
    /// <param name="request">The request, already checked and deserialized.</param>
    /// <param name="context">Who asks, the deadline, the request hash.</param>
    /// <param name="cancellationToken">Signalled when the host stops.</param>
    /// <returns>The response.</returns>
    Task<TResponse> HandleAsync(TRequest request, QueryContext context, CancellationToken cancellationToken);
}
