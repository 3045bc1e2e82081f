using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using QazBus.Gateway.Problems;

namespace QazBus.Gateway.Authentication;

/// <summary>
/// Authenticates a client system by its API key (header <see cref="HeaderName"/>), whose SHA-256 the registry lists
/// for that system: for test environments; production systems use client certificates. The principal's name is the
/// system id.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, GatewayClients clients)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The request header carrying the key.</summary>
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // The key is never logged nor echoed: only whether the registry knows its hash.
        if (clients.SystemOfApiKey(values[0]!) is not { } system)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not registered for any system."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, system)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties) =>
        await GatewayProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, GatewayProblems.NotAuthenticated, "Not authenticated",
            $"Present an API key (header {HeaderName}) whose SHA-256 the registry lists for your system (systems[].gateway.apiKeys).");

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await GatewayProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, GatewayProblems.NotAllowed, "Not allowed",
            "The registry does not allow your system this request.");
}
