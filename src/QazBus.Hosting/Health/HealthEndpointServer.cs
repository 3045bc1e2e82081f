using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace QazBus.Hosting.Health;

/// <summary>
/// Answers <c>GET /health/live</c> and <c>GET /health/ready</c> on <c>QazBus:Health:Address</c> and
/// <c>QazBus:Health:Port</c> with a minimal Kestrel inside the worker: 200 for healthy or degraded, 503 for
/// unhealthy, and a small JSON body naming each check's status. Serves nothing when the port is unset.
/// </summary>
/// <remarks>
/// Kestrel starts before every other hosted service (in <see cref="StartingAsync"/>), so liveness answers while
/// the bus is still connecting, and stops after all of them, so probes answer while in-flight messages drain.
/// It has its own small container: nothing of the worker's services is exposed over HTTP but the health report.
/// </remarks>
public sealed partial class HealthEndpointServer : IHostedLifecycleService, IAsyncDisposable
{
    private readonly HealthCheckService _health;
    private readonly HealthOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HealthStatus> _lastStatus = new(StringComparer.Ordinal);
    private WebApplication? _app;

    internal HealthEndpointServer(HealthCheckService health, IOptions<HealthOptions> options, ILoggerFactory loggerFactory)
    {
        _health = health;
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("QazBus.Health");
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

        var address = IPAddress.Parse(_options.Address);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(HealthEndpointServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // The worker's host owns the process: its lifetime handles SIGTERM and Ctrl+C, and its logging is used.
        builder.Services.Replace(ServiceDescriptor.Singleton<IHostLifetime, EmbeddedLifetime>());
        builder.Services.Replace(ServiceDescriptor.Singleton(_loggerFactory));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 0; // probes send no body
            kestrel.Listen(address, port);
        });

        var app = builder.Build();
        app.Run(HandleAsync);
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
        LogListening(_logger, Address, QazBusHealthChecks.LivePath, QazBusHealthChecks.ReadyPath);
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

    private async Task HandleAsync(HttpContext context)
    {
        var tag = context.Request.Path.Value switch
        {
            QazBusHealthChecks.LivePath => QazBusHealthChecks.LiveTag,
            QazBusHealthChecks.ReadyPath => QazBusHealthChecks.ReadyTag,
            _ => null,
        };
        if (tag is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var head = HttpMethods.IsHead(context.Request.Method);
        if (!head && !HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return;
        }

        var report = await _health.CheckHealthAsync(registration => registration.Tags.Contains(tag), context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        // Probes come every few seconds: log when a probe's answer changes, not at every probe.
        if (_lastStatus.TryGetValue(tag, out var last) ? last != report.Status : report.Status != HealthStatus.Healthy)
        {
            _lastStatus[tag] = report.Status;
            if (report.Status == HealthStatus.Healthy)
            {
                LogHealthyAgain(_logger, tag);
            }
            else if (_logger.IsEnabled(LogLevel.Warning))
            {
                var failing = string.Join("; ", report.Entries
                    .Where(e => e.Value.Status != HealthStatus.Healthy)
                    .Select(e => $"{e.Key}: {e.Value.Description}"));
                LogStatusChanged(_logger, tag, report.Status, failing);
            }
        }

        if (!head)
        {
            await WriteAsync(context.Response.Body, report, context.RequestAborted).ConfigureAwait(false);
        }
    }

    // Names, statuses, descriptions and data only: exception text can name hosts, users or worse.
    private static async Task WriteAsync(Stream body, HealthReport report, CancellationToken cancellationToken)
    {
        var json = new Utf8JsonWriter(body);
        await using (json.ConfigureAwait(false))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                if (entry.Description is not null)
                {
                    json.WriteString("description", entry.Description);
                }

                if (entry.Data.Count > 0)
                {
                    json.WriteStartObject("data");
                    foreach (var (key, value) in entry.Data)
                    {
                        switch (value)
                        {
                            case long number:
                                json.WriteNumber(key, number);
                                break;
                            case int number:
                                json.WriteNumber(key, number);
                                break;
                            case double number:
                                json.WriteNumber(key, number);
                                break;
                            default:
                                json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                                break;
                        }
                    }

                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health endpoints on {Address}: liveness {Live}, readiness {Ready}")]
    private static partial void LogListening(ILogger logger, Uri address, string live, string ready);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health probe '{Probe}' is now {Status} ({Checks})")]
    private static partial void LogStatusChanged(ILogger logger, string probe, HealthStatus status, string checks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health probe '{Probe}' is Healthy again")]
    private static partial void LogHealthyAgain(ILogger logger, string probe);

    /// <summary>The embedded server's host neither waits for nor reacts to process signals: the worker's host does.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
