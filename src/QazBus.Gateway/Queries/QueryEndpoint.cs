using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Options;
using QazBus.Contracts;
using QazBus.Gateway.Authentication;
using QazBus.Gateway.Configuration;
using QazBus.Gateway.Contracts;
using QazBus.Gateway.Problems;
using QazBus.Publishing;
using QazBus.Queries;
using QazBus.Wire;

namespace QazBus.Gateway.Queries;

/// <summary>
/// <c>POST /v1/queries/{name}/v{version}?timeout=10</c>: asks the query's provider through the SDK's
/// <see cref="IQueryClient"/> for the client system and answers with the response, or the provider's rejection as a
/// problem, or <c>504</c> when no answer came in time. Both carry the request hash (<see cref="WireHeaders.RequestHash"/>),
/// the X-Road evidence of which request the answer belongs to.
/// </summary>
internal static class QueryEndpoint
{
    private static readonly MethodInfo AskMethod = typeof(QueryEndpoint).GetMethod(nameof(AskAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly ConcurrentDictionary<Type, Func<IQueryClient, object, TimeSpan, CancellationToken, Task<object>>> Askers = new();

    public static async Task<IResult> HandleAsync(
        string name, int version, HttpContext http, GatewayContracts contracts, GatewayClients clients, BodyReader reader,
        IQueryClient queries, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        var system = http.User.Identity!.Name!;
        if (contracts.Find(name, version) is not { IsQuery: true } query || !clients.Registry.Queries.Any(q => q.Query == name && q.Version == version))
        {
            return GatewayProblems.Result(StatusCodes.Status404NotFound, GatewayProblems.UnknownContract, "Unknown query",
                $"Query '{name}' v{version} is not a query this gateway carries; GET /v1/queries lists them.");
        }

        var timeout = options.Value.QueryTimeout;
        if (http.Request.Query.TryGetValue("timeout", out var timeoutText))
        {
            if (!double.TryParse(timeoutText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                || seconds <= 0 || seconds > options.Value.MaxQueryTimeout.TotalSeconds)
            {
                return GatewayProblems.Result(StatusCodes.Status400BadRequest, GatewayProblems.BadParameter, "Bad timeout",
                    $"timeout must be a number of seconds above 0 and at most {options.Value.MaxQueryTimeout.TotalSeconds} (QazBus:Gateway:MaxQueryTimeout).");
            }

            timeout = TimeSpan.FromSeconds(seconds);
        }

        var (_, request, problem) = await reader.ReadAsync(http.Request, query, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var scope = SourceScope.For(system);
        try
        {
            var answer = await Asker(query)(queries, request!, timeout, cancellationToken);
            http.Response.Headers[WireHeaders.RequestHash] = scope.RequestHash;
            return TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(answer, answer.GetType(), BusJson.Options), "application/json");
        }
        catch (QueryRejectedException rejected)
        {
            http.Response.Headers[WireHeaders.RequestHash] = scope.RequestHash;
            var code = QueryRejection.Text(rejected.Code);
            var status = rejected.Code switch
            {
                QueryRejectionCode.AccessDenied => StatusCodes.Status403Forbidden,
                QueryRejectionCode.NoData => StatusCodes.Status404NotFound,
                QueryRejectionCode.InvalidRequest => StatusCodes.Status422UnprocessableEntity,
                QueryRejectionCode.Expired => StatusCodes.Status504GatewayTimeout,
                _ => StatusCodes.Status502BadGateway,
            };
            // The provider's message is passed on: providers answer in words about the request, not its values.
            return GatewayProblems.Result(status, GatewayProblems.QueryRejectedPrefix + code, $"Query rejected: {code}", rejected.Message,
                new Dictionary<string, object?> { ["code"] = code, ["requestHash"] = scope.RequestHash });
        }
        catch (QueryTimeoutException)
        {
            http.Response.Headers[WireHeaders.RequestHash] = scope.RequestHash;
            return GatewayProblems.Result(StatusCodes.Status504GatewayTimeout, GatewayProblems.QueryTimeout, "Query timed out",
                $"The provider of '{name}' v{version} did not answer within {timeout.TotalSeconds} s; the request's deadline has passed, so it will not be answered later.",
                new Dictionary<string, object?> { ["requestHash"] = scope.RequestHash });
        }
    }

    /// <summary>IQueryClient's generic RequestAsync for the query's record types, made once per query.</summary>
    private static Func<IQueryClient, object, TimeSpan, CancellationToken, Task<object>> Asker(ContractDescriptor query) =>
        Askers.GetOrAdd(query.ClrType, type => AskMethod.MakeGenericMethod(type, query.ResponseType!)
            .CreateDelegate<Func<IQueryClient, object, TimeSpan, CancellationToken, Task<object>>>());

    private static async Task<object> AskAsync<TRequest, TResponse>(IQueryClient client, object request, TimeSpan timeout, CancellationToken cancellationToken)
        where TRequest : class, IQuery<TResponse>
        where TResponse : class =>
        await client.RequestAsync<TRequest, TResponse>((TRequest)request, timeout, cancellationToken: cancellationToken).ConfigureAwait(false);
}
