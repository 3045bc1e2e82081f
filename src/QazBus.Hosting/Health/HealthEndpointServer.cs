using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace QazBus.Hosting.Health;

/// <summary>
/// Answers <c>GET /health/live</c> and <c>GET /health/ready</c> on <c>QazBus:Health:Address</c> and
/// <c>QazBus:Health:Port</c> with a minimal Kestrel inside the worker: ASP.NET Core's health check middleware
/// (<c>MapHealthChecks</c>), one path per tag. 200 for healthy or degraded, 503 for unhealthy, and a small JSON
/// body naming each check's status. Serves nothing when the port is unset.
/// </summary>
/// <remarks>
/// Kestrel starts before every other hosted service (in <see cref="StartingAsync"/>), so liveness answers while
/// the bus is still connecting, and stops after all of them, so probes answer while in-flight messages drain.
/// It has its own small container: nothing of the worker's services is exposed over HTTP but the health report.
/// </remarks>
public sealed partial class HealthEndpointServer : IHostedLifecycleService, IAsyncDisposable
{
    // Probes only read: any other method on a probe's path is answered 405 by routing, with an Allow header.
    private static readonly HttpMethodMetadata ProbeMethods = new([HttpMethods.Get, HttpMethods.Head]);

    private readonly HealthCheckService _health;
    private readonly HealthOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly HealthReportWriter _writer;
    private WebApplication? _app;

    internal HealthEndpointServer(HealthCheckService health, HealthOptions options, ILoggerFactory loggerFactory)
    {
        _health = health;
        _options = options;
        _loggerFactory = loggerFactory;
        _writer = new HealthReportWriter(loggerFactory.CreateLogger("QazBus.Health"));
    }

    /// <summary>
    /// Where the endpoints answer, for example <c>http://127.0.0.1:8080/</c> (with the port actually bound when
    /// <c>QazBus:Health:Port</c> is 0); null when the port is unset or the host has not started.
    /// </summary>
    public Uri? Address { get; private set; }

    /// <inheritdoc />
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (_options.Port is not { } port)
        {
            return;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(HealthEndpointServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // The worker's host owns the process: its lifetime handles SIGTERM and Ctrl+C, and its logging is used
        // (the registration added last is the one resolved).
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.AddSingleton(_loggerFactory);
        // The worker's checks, not a second set: the middleware asks this container for the service.
        builder.Services.AddSingleton(_health);
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 0; // probes send no body
            kestrel.Listen(IPAddress.Parse(_options.Address), port);
        });

        var app = builder.Build();
        Map(app, QazBusHealthChecks.LivePath, QazBusHealthChecks.LiveTag);
        Map(app, QazBusHealthChecks.ReadyPath, QazBusHealthChecks.ReadyTag);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(
                $"The health endpoints cannot listen on {_options.Address}:{port} ({HealthOptions.SectionName}:Address, {HealthOptions.SectionName}:Port): {ex.Message}",
                ex);
        }

        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Address = new Uri((bound ?? $"http://{_options.Address}:{port}").TrimEnd('/') + "/");
        LogListening(_writer.Logger, Address, QazBusHealthChecks.LivePath, QazBusHealthChecks.ReadyPath);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One probe: the checks carrying <paramref name="tag"/>; status codes are ASP.NET Core's defaults (503 only for unhealthy).</summary>
    private void Map(WebApplication app, string path, string tag) =>
        app.MapHealthChecks(path, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(tag),
            ResponseWriter = (context, report) => _writer.WriteAsync(context, tag, report),
        }).WithMetadata(ProbeMethods);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health endpoints on {Address}: liveness {Live}, readiness {Ready}")]
    private static partial void LogListening(ILogger logger, Uri address, string live, string ready);

    /// <summary>The embedded server's host neither waits for nor reacts to process signals: the worker's host does.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
