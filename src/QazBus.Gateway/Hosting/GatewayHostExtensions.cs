using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using QazBus.Gateway.Authentication;
using QazBus.Gateway.Configuration;
using QazBus.Gateway.Contracts;
using QazBus.Gateway.Problems;
using QazBus.Gateway.Publishing;
using QazBus.Gateway.Queries;
using QazBus.Schemas.Hosting;

namespace QazBus.Gateway.Hosting;

/// <summary>Builds the gateway host: <c>builder.AddQazBusGateway()</c>, then <c>app.MapQazBusGateway()</c>.</summary>
public static class GatewayHostExtensions
{
    private const string ClientRateLimit = "client";

    /// <summary>
    /// Adds the gateway: the bus configured like every QazBus host (the <c>QazBus</c> section, <c>UseRegistry()</c>,
    /// <c>AddStorage()</c> for the outbox and the gateway's own table, the worker defaults for telemetry and health),
    /// API-key authentication against the registry, the registry's publish and ask rights as authorisation policies,
    /// a rate limit per client system and RFC 9457 problem details for every error.
    /// </summary>
    /// <param name="builder">The web application's builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static WebApplicationBuilder AddQazBusGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddQazBusServiceDefaults();
        builder.AddQazBus().UseRegistry().AddStorage();
        // After AddStorage: the storage's schema exists before the gateway's table is created in it.
        services.AddSingleton<IdempotencyStore>();
        services.AddHostedService(provider => provider.GetRequiredService<IdempotencyStore>());

        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddSingleton(provider => new GatewayClients(provider.GetRequiredService<RegistryRights>()));
        services.AddSingleton<GatewayContracts>();
        services.AddSingleton<BodyReader>();

        services.AddProblemDetails();
        // The document a 1C or Java team generates its client from; 3.1, the version JSON Schema 2020-12 fits.
        services.AddOpenApi(options => options.OpenApiVersion = Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_1);
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddSingleton<IAuthorizationHandler, RegistryAuthorizationHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(RegistryAuthorizationHandler.PublishPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(new PublishRequirement()))
            .AddPolicy(RegistryAuthorizationHandler.AskPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(new AskRequirement()));

        services.AddRateLimiter(limiter =>
        {
            // One window per client system: one system's burst does not slow the others.
            limiter.AddPolicy(ClientRateLimit, context =>
            {
                var settings = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.RateLimit;
                return RateLimitPartition.GetFixedWindowLimiter(context.User.Identity?.Name ?? string.Empty, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.Permits,
                    Window = settings.Window,
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await GatewayProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, GatewayProblems.RateLimited, "Rate limited",
                    "Your system made more requests than QazBus:Gateway:RateLimit allows; try again after Retry-After seconds.");
            };
        });
        return builder;
    }

    /// <summary>Maps the gateway's endpoints under <c>/v1</c>.</summary>
    /// <param name="app">The built application.</param>
    /// <returns><paramref name="app"/>.</returns>
    public static WebApplication MapQazBusGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/v1.json");
        var v1 = app.MapGroup("/v1").RequireRateLimiting(ClientRateLimit).RequireAuthorization();
        QazBus.Gateway.Discovery.DiscoveryEndpoints.Map(v1);
        v1.MapPost("/messages/{name}/v{version:int}", PublishEndpoint.HandleAsync)
            .RequireAuthorization(RegistryAuthorizationHandler.PublishPolicy)
            .WithName("Publish");
        v1.MapPost("/queries/{name}/v{version:int}", QueryEndpoint.HandleAsync)
            .RequireAuthorization(RegistryAuthorizationHandler.AskPolicy)
            .WithName("Ask");
        return app;
    }
}
