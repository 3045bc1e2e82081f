using Microsoft.AspNetCore.Authorization;

namespace QazBus.Gateway.Authentication;

/// <summary>The calling system must be a registered publisher of the contract version in the route.</summary>
internal sealed class PublishRequirement : IAuthorizationRequirement;

/// <summary>The calling system must be an approved requester of the query version in the route.</summary>
internal sealed class AskRequirement : IAuthorizationRequirement;

/// <summary>
/// Decides both requirements from the registry and the route (<c>{name}</c>, <c>{version}</c>). A name the registry
/// does not know passes here, so the endpoint can answer it as an unknown contract (404) rather than a refusal.
/// </summary>
internal sealed class RegistryAuthorizationHandler(GatewayClients clients) : IAuthorizationHandler
{
    /// <summary>The policy of publishing.</summary>
    public const string PublishPolicy = "publish";

    /// <summary>The policy of asking a query.</summary>
    public const string AskPolicy = "ask";

    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (context.User.Identity is not { IsAuthenticated: true, Name: { } system } || context.Resource is not HttpContext http)
        {
            return Task.CompletedTask;
        }

        var name = http.GetRouteValue("name") as string;
        var version = int.TryParse(http.GetRouteValue("version") as string, out var v) ? v : -1;
        var registry = clients.Registry;
        foreach (var requirement in context.PendingRequirements.ToList())
        {
            var allowed = requirement switch
            {
                PublishRequirement => !registry.Contracts.Any(c => c.Name == name && c.Versions.Any(x => x.Version == version))
                    || clients.MayPublish(system, name!, version),
                AskRequirement => !registry.Queries.Any(q => q.Query == name && q.Version == version)
                    || clients.MayAsk(system, name!, version),
                _ => false,
            };
            if (allowed)
            {
                context.Succeed(requirement);
            }
        }

        return Task.CompletedTask;
    }
}
