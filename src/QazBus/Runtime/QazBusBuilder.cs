using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using QazBus.Contracts;
using QazBus.Handling;
using QazBus.Naming;
using QazBus.Pipeline;

namespace QazBus.Runtime;

/// <summary>Returned by <c>AddQazBus</c>: adds handlers to endpoints of this system.</summary>
public sealed class QazBusBuilder
{
    internal QazBusBuilder(IServiceCollection services, BusEndpoints endpoints)
    {
        Services = services;
        Endpoints = endpoints;
    }

    /// <summary>The service collection the bus is registered in.</summary>
    public IServiceCollection Services { get; }

    internal BusEndpoints Endpoints { get; }

    /// <summary>
    /// Subscribes <typeparamref name="THandler"/> to <typeparamref name="TContract"/> at the endpoint
    /// <paramref name="endpoint"/>, whose queue is <c>{agency}.{system}.{endpoint}</c>.
    /// </summary>
    /// <typeparam name="TContract">A record marked with <see cref="ContractAttribute"/>.</typeparam>
    /// <typeparam name="THandler">The handler; registered as scoped, resolved once per message.</typeparam>
    /// <param name="endpoint">The endpoint name, one lowercase segment such as <c>address-changes</c>. Several contracts may share an endpoint.</param>
    public QazBusBuilder AddHandler<TContract, THandler>(string endpoint)
        where TContract : class
        where THandler : class, IContractHandler<TContract>
    {
        if (!BusNames.IsValidEndpointName(endpoint) || endpoint == BusNames.RepliesEndpoint)
        {
            throw new ArgumentException($"Endpoint name '{endpoint}' must be one lowercase segment of a-z, 0-9 and '-', and not '{BusNames.RepliesEndpoint}' (the reply queue).", nameof(endpoint));
        }

        var contract = ContractDescriptor.For(typeof(TContract));
        Services.TryAddScoped<THandler>();
        Func<IServiceProvider, object, MessageContext, CancellationToken, Task> invoke =
            (provider, message, context, cancellationToken) =>
                provider.GetRequiredService<THandler>().HandleAsync((TContract)message, context, cancellationToken);

        var target = Endpoints.Get(endpoint);
        target.Add(new MessageRoute(contract, contract, static message => message, invoke));

        // Older versions reach this handler through the upcasters declared next to the contracts: the endpoint
        // is bound to their exchanges too, and each message is converted step by step (v1 → v2 → v3).
        foreach (var (older, upcast) in Upcasters.Chain(contract))
        {
            target.Add(new MessageRoute(older, contract, upcast, invoke));
        }

        return this;
    }

    /// <summary>
    /// Answers the query <typeparamref name="TRequest"/> with <typeparamref name="THandler"/> at the endpoint
    /// <paramref name="endpoint"/> (queue <c>{agency}.{system}.{endpoint}</c>, bound to the query's exchange). Only the
    /// owner agency's systems answer a query; each request's deadline and the requester's right in the registry are
    /// checked before the handler runs (the system needs an <see cref="Queries.IQueryAccessPolicy"/>: <c>UseRegistry()</c>).
    /// </summary>
    /// <typeparam name="TRequest">The request record, implementing <see cref="Queries.IQuery{TResponse}"/>.</typeparam>
    /// <typeparam name="TResponse">The response record.</typeparam>
    /// <typeparam name="THandler">The handler; registered as scoped, resolved once per request.</typeparam>
    /// <param name="endpoint">The endpoint name; an endpoint answers queries only, never events.</param>
    public QazBusBuilder AddQueryHandler<TRequest, TResponse, THandler>(string endpoint)
        where TRequest : class, Queries.IQuery<TResponse>
        where TResponse : class
        where THandler : class, Queries.IQueryHandler<TRequest, TResponse>
    {
        if (!BusNames.IsValidEndpointName(endpoint) || endpoint == BusNames.RepliesEndpoint)
        {
            throw new ArgumentException($"Endpoint name '{endpoint}' must be one lowercase segment of a-z, 0-9 and '-', and not '{BusNames.RepliesEndpoint}'.", nameof(endpoint));
        }

        var query = ContractDescriptor.For(typeof(TRequest));
        ContractDescriptor.For(typeof(TResponse)); // fails early when the response is not a contract
        Services.TryAddScoped<THandler>();
        Func<IServiceProvider, object, Queries.QueryContext, CancellationToken, Task<object>> handle =
            async (provider, request, context, cancellationToken) =>
                await provider.GetRequiredService<THandler>().HandleAsync((TRequest)request, context, cancellationToken).ConfigureAwait(false);
        Endpoints.Get(endpoint).Add(new MessageRoute(query, query, static message => message, static (_, _, _, _) => Task.CompletedTask)
        {
            Handle = context => context.Services!.GetRequiredService<Queries.QueryAnswers>().AnswerAsync(context, handle),
        });
        return this;
    }

    /// <summary>
    /// Receives the answers to this system's asynchronous requests of <typeparamref name="TRequest"/>
    /// (<see cref="Queries.IQueryClient.SendRequestAsync{TRequest}"/>) with <typeparamref name="THandler"/>, from the
    /// durable reply queue <c>{agency}.{system}.replies</c>.
    /// </summary>
    /// <typeparam name="TRequest">The request record.</typeparam>
    /// <typeparam name="TResponse">The response record.</typeparam>
    /// <typeparam name="THandler">The handler; registered as scoped, resolved once per answer.</typeparam>
    public QazBusBuilder AddQueryResponseHandler<TRequest, TResponse, THandler>()
        where TRequest : class, Queries.IQuery<TResponse>
        where TResponse : class
        where THandler : class, Queries.IQueryResponseHandler<TRequest, TResponse>
    {
        Services.TryAddScoped<THandler>();
        Endpoints.GetReplies().Add(
            ContractDescriptor.For(typeof(TRequest)),
            ContractDescriptor.For(typeof(TResponse)),
            (provider, response, rejection, answer, context, cancellationToken) => provider.GetRequiredService<THandler>().HandleAsync(
                new Queries.QueryAnswer<TResponse>
                {
                    RequestId = answer.RequestId,
                    RequestHash = answer.RequestHash,
                    Provider = answer.Provider,
                    Response = (TResponse?)response,
                    Rejection = rejection,
                },
                context,
                cancellationToken));
        return this;
    }

    /// <summary>
    /// Adds a consume filter around every handler attempt of this system (the storage package's inbox is one).
    /// Filters run in the order they are added, in the pipeline's handler slot: after the message was checked
    /// (headers, signature, contract, version, body) and before the handler, in the attempt's DI scope.
    /// </summary>
    /// <typeparam name="TFilter">The filter; registered as scoped, resolved once per attempt.</typeparam>
    public QazBusBuilder AddConsumeFilter<TFilter>()
        where TFilter : class, IConsumeFilter
    {
        if (!Services.Any(d => d.ServiceType == typeof(Pipeline.Steps.ConsumeFilterRegistration) && d.ImplementationInstance is Pipeline.Steps.ConsumeFilterRegistration r && r.FilterType == typeof(TFilter)))
        {
            Services.TryAddScoped<TFilter>();
            Services.AddSingleton(new Pipeline.Steps.ConsumeFilterRegistration(typeof(TFilter)));
        }

        return this;
    }
}

/// <summary>The endpoints of this system, filled by <see cref="QazBusBuilder"/>; queue names are fixed once the system id is known.</summary>
internal sealed class BusEndpoints
{
    private readonly Dictionary<string, EndpointDefinition> _byName = new(StringComparer.Ordinal);

    public IReadOnlyCollection<EndpointDefinition> All => _byName.Values;

    /// <summary>The routes of the reply queue, once a response handler was added.</summary>
    public Queries.ReplyRoutes? Replies { get; private set; }

    public Queries.ReplyRoutes GetReplies() => Replies ??= new Queries.ReplyRoutes(Get(BusNames.RepliesEndpoint));

    // The queue name needs the system id, which comes from configuration; it is bound at start-up by Bind().
    public EndpointDefinition Get(string name)
    {
        if (!_byName.TryGetValue(name, out var endpoint))
        {
            endpoint = new EndpointDefinition(name);
            _byName[name] = endpoint;
        }

        return endpoint;
    }
}
