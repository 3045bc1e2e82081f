using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace QazBus.Hosting.Health;

/// <summary>
/// The body of a probe's answer (<c>HealthCheckOptions.ResponseWriter</c>): the overall status and each check's
/// status, description and data. Logs when a probe's answer changes.
/// </summary>
internal sealed partial class HealthReportWriter(ILogger logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly ConcurrentDictionary<string, HealthStatus> _lastStatus = new(StringComparer.Ordinal);

    public ILogger Logger { get; } = logger;

    public async Task WriteAsync(HttpContext context, string probe, HealthReport report)
    {
        LogChange(probe, report);
        var response = context.Response;
        response.ContentType = "application/json; charset=utf-8";
        // The middleware's "no-store, no-cache" plus Pragma and Expires say the same to HTTP/1.1 caches; the
        // documented header is the one directive that matters.
        response.Headers.CacheControl = "no-store";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        await JsonSerializer.SerializeAsync(response.Body, Body(report), JsonOptions, context.RequestAborted).ConfigureAwait(false);
    }

    // Names, statuses, descriptions and data only: exception text can name hosts, users or worse. Data values
    // other than numbers become text, so an application's check cannot put an object graph on the wire.
    private static object Body(HealthReport report) => new
    {
        status = report.Status.ToString(),
        checks = report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(
            e => e.Key,
            e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data.Count == 0
                    ? null
                    : e.Value.Data.ToDictionary(d => d.Key, d => d.Value is long or int or double ? d.Value : Convert.ToString(d.Value, CultureInfo.InvariantCulture)),
            },
            StringComparer.Ordinal),
    };

    // Probes come every few seconds: log when a probe's answer changes, not at every probe.
    private void LogChange(string probe, HealthReport report)
    {
        if (_lastStatus.TryGetValue(probe, out var last) ? last == report.Status : report.Status == HealthStatus.Healthy)
        {
            return;
        }

        _lastStatus[probe] = report.Status;
        if (report.Status == HealthStatus.Healthy)
        {
            LogHealthyAgain(Logger, probe);
        }
        else if (Logger.IsEnabled(LogLevel.Warning))
        {
            var failing = string.Join("; ", report.Entries
                .Where(e => e.Value.Status != HealthStatus.Healthy)
                .Select(e => $"{e.Key}: {e.Value.Description}"));
            LogStatusChanged(Logger, probe, report.Status, failing);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health probe '{Probe}' is now {Status} ({Checks})")]
    private static partial void LogStatusChanged(ILogger logger, string probe, HealthStatus status, string checks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health probe '{Probe}' is Healthy again")]
    private static partial void LogHealthyAgain(ILogger logger, string probe);
}
