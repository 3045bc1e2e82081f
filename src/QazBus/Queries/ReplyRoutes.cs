using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts;
using QazBus.Handling;
using QazBus.Naming;
using QazBus.Pipeline;
using QazBus.Wire;

namespace QazBus.Queries;

/// <summary>
/// The answers this system's reply queue (<c>{system}.replies</c>) takes: for each query it asks asynchronously, its
/// response contract and the rejection, dispatched by the answer's <c>qazbus-query</c> header to the query's response
/// handler. Answers ride the ordinary consume pipeline (signature, contract, schema, inbox, retries, error queue).
/// </summary>
internal sealed class ReplyRoutes
{
    private static readonly ContractDescriptor RejectedContract = ContractDescriptor.For(typeof(QueryRejected));

    private readonly EndpointDefinition _endpoint;
    private readonly Dictionary<(string Query, int Version), Handler> _handlers = [];

    public ReplyRoutes(EndpointDefinition endpoint) => _endpoint = endpoint;

    /// <summary>True when answers to <paramref name="query"/> have a response handler here.</summary>
    public bool Handles(ContractDescriptor query) => _handlers.ContainsKey((query.Name, query.MajorVersion));

    public void Add(ContractDescriptor query, ContractDescriptor response, Func<IServiceProvider, object?, QueryRejectedException?, Answer, MessageContext, CancellationToken, Task> invoke)
    {
        if (!_handlers.TryAdd((query.Name, query.MajorVersion), new Handler(response, invoke)))
        {
            throw new InvalidOperationException($"Query '{query.Name}' v{query.MajorVersion} already has a response handler; one per query version.");
        }

        foreach (var contract in new[] { response, RejectedContract })
        {
            if (!_endpoint.TryGetRoute(contract.Name, contract.MajorVersion, out _))
            {
                _endpoint.Add(new MessageRoute(contract, contract, static message => message, static (_, _, _, _) => Task.CompletedTask) { Handle = DispatchAsync });
            }
        }
    }

    private Task DispatchAsync(ReceiveContext context)
    {
        var message = context.Message;
        var envelope = context.Envelope!;
        var queryText = message.GetHeader(WireHeaders.Query);
        if (!IncomingEnvelope.TryParseDataSchema(queryText, out var query, out var version))
        {
            throw new MessageRejectedException(queryText is null ? RejectReason.MissingHeader : RejectReason.InvalidHeader,
                $"A query answer needs header '{WireHeaders.Query}' naming its request's dataschema (urn:qazbus:contract:{{query}}:v{{major}}); it is '{queryText}'.");
        }

        if (!_handlers.TryGetValue((query, version), out var handler))
        {
            throw new MessageRejectedException(RejectReason.UnknownContract,
                $"'{_endpoint.Queue}' has no response handler for query '{query}' v{version}.");
        }

        // Only the answering agency answers its queries (the rejection is a platform contract anyone may send).
        if (BusNames.AgencyOf(envelope.Source) != BusNames.AgencyOf(query))
        {
            throw new MessageRejectedException(RejectReason.SenderNotOwner,
                $"Sender '{envelope.Source}' is not a system of agency '{BusNames.AgencyOf(query)}', which answers query '{query}'.");
        }

        var requestId = message.CorrelationId is { Length: > 0 } id ? id
            : throw new MessageRejectedException(RejectReason.MissingHeader, "A query answer needs the AMQP property 'correlation-id': the id of the request it answers.");
        var hash = message.GetHeader(WireHeaders.RequestHash) is { Length: > 0 } h ? h
            : throw new MessageRejectedException(RejectReason.MissingHeader, $"A query answer needs header '{WireHeaders.RequestHash}'.");
        context.RequestHash = hash;
        if (!context.Services!.GetRequiredService<QueryClient>().AnswerMatches(requestId, hash))
        {
            throw new MessageRejectedException(RejectReason.InvalidHeader,
                $"Header '{WireHeaders.RequestHash}' of the answer to request {requestId} is not the hash of the request this system sent: the answer names another question.");
        }

        var answer = new Answer(requestId, hash, envelope.Source);

        if (context.Contract is QueryRejected rejected)
        {
            var code = QueryRejection.TryParse(rejected.Code, out var parsed) ? parsed
                : throw new MessageRejectedException(RejectReason.SchemaViolation, $"Rejection code '{rejected.Code}' is not one of access-denied, no-data, invalid-request, failure, expired.");
            context.Reason = rejected.Code;
            return handler.Invoke(context.Services!, null, QueryRejectedException.Create(code, rejected.Message, requestId, envelope.Source), answer, context.MessageContext!, context.CancellationToken);
        }

        if (envelope.Type != handler.Response.Name || envelope.Version != handler.Response.MajorVersion)
        {
            throw new MessageRejectedException(RejectReason.UnknownContract,
                $"Query '{query}' v{version} is answered with '{handler.Response.Name}' v{handler.Response.MajorVersion}, not '{envelope.Type}' v{envelope.Version}.");
        }

        return handler.Invoke(context.Services!, context.Contract, null, answer, context.MessageContext!, context.CancellationToken);
    }

    /// <summary>Which request an answer answers, and who answered.</summary>
    internal sealed record Answer(string RequestId, string RequestHash, string Provider);

    private sealed record Handler(ContractDescriptor Response, Func<IServiceProvider, object?, QueryRejectedException?, Answer, MessageContext, CancellationToken, Task> Invoke);
}
