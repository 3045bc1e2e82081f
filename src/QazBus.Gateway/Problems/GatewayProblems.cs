using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace QazBus.Gateway.Problems;

/// <summary>
/// The RFC 9457 problem types of the gateway: one stable <c>type</c> URI per cause, so a client branches on the type,
/// never on the words. A problem names fields and rules, never a field's value: values can be personal data.
/// </summary>
public static class GatewayProblems
{
    /// <summary>The prefix of every problem type.</summary>
    public const string Prefix = "urn:qazbus:problem:";

    /// <summary>The body is not JSON.</summary>
    public const string BadJson = Prefix + "bad-json";

    /// <summary>The body is JSON but breaks the contract's schema; <c>errors</c> names each field and rule.</summary>
    public const string SchemaViolation = Prefix + "schema-violation";

    /// <summary>No such contract or query version in the registry and in code.</summary>
    public const string UnknownContract = Prefix + "unknown-contract";

    /// <summary>The calling system may not do this (the registry does not allow it).</summary>
    public const string NotAllowed = Prefix + "not-allowed";

    /// <summary>No credential, or one the registry does not know.</summary>
    public const string NotAuthenticated = Prefix + "not-authenticated";

    /// <summary>The body is larger than <c>QazBus:Gateway:MaxBodyBytes</c>.</summary>
    public const string TooLarge = Prefix + "too-large";

    /// <summary>The calling system made too many requests; <c>Retry-After</c> says when to try again.</summary>
    public const string RateLimited = Prefix + "rate-limited";

    /// <summary>The <c>Idempotency-Key</c> header is malformed, or was used before with another body.</summary>
    public const string BadIdempotencyKey = Prefix + "bad-idempotency-key";

    /// <summary>A request parameter (such as a query's <c>timeout</c>) is malformed or out of range.</summary>
    public const string BadParameter = Prefix + "bad-parameter";

    /// <summary>The query's provider did not answer within the timeout.</summary>
    public const string QueryTimeout = Prefix + "query-timeout";

    /// <summary>The prefix of a query's typed rejection: <c>…query-rejected:no-data</c>, <c>…:access-denied</c>, ….</summary>
    public const string QueryRejectedPrefix = Prefix + "query-rejected:";

    /// <summary>Builds a problem result.</summary>
    internal static IResult Result(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, instance: null, statusCode: status, title: title, type: type, extensions: extensions);

    /// <summary>Writes a problem outside an endpoint (authentication, authorisation, rate limiting) through the ProblemDetails service.</summary>
    internal static ValueTask WriteAsync(HttpContext context, int status, string type, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}
