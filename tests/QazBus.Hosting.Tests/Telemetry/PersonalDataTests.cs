using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry.Metrics;
using QazBus.Contracts.Population;
using QazBus.Hosting.Tests.Support;
using QazBus.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.Hosting.Tests.Telemetry;

/// <summary>
/// Bodies carry citizens' personal data; telemetry and logs travel to places (collectors, log stores, other
/// teams' dashboards) that must never hold it. Every path is driven — handled, retried, redelivered,
/// dead-lettered, rejected for a schema violation and for malformed JSON — and no field value of any body may
/// appear in a span, a span event, a metric attribute or a log entry.
/// </summary>
public sealed class PersonalDataTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    // Field values of the bodies below, in every form a careless formatter could print them.
    private static readonly string[] PersonalData =
    [
        "900102345678", "851231400123", "770123456789", "77012345678",
        "Сапарова", "Айгерим", "Нурлановна", "Жумабеков", "Ерлан", "Болатович", "Қасымова", "Дана",
        "1990-01-02", "02.01.1990", "1/2/1990", "1985-12-31", "31.12.1985", "12/31/1985",
    ];

    [Fact]
    public async Task No_body_field_reaches_spans_metrics_or_logs_on_any_path()
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var queue = $"{system}.citizens";
        var spans = new RecordedCollection<Activity>();
        var metrics = new RecordedCollection<MetricSnapshot>();
        var sink = new MessageSink<CitizenRegisteredV2>
        {
            // The first citizen fails once (an immediate retry); the second always (redelivered, then dead-lettered).
            FailWhen = c => c.Attempt == 1 || c.CorrelationId == "always-fails",
        };
        var consumer = WorkerHosts.Build(system, Uri,
            bus => bus.AddHandler<CitizenRegisteredV2, RecordingHandler<CitizenRegisteredV2>>("citizens"),
            settings: new Dictionary<string, string?>
            {
                ["QazBus:Retry:ImmediateRetries"] = "1",
                ["QazBus:Retry:Delays"] = "1s",
                ["QazBus:KillSwitch:Enabled"] = "false",
            },
            services: s =>
            {
                s.AddSingleton(sink);
                s.ExportSpansTo(spans);
                s.ExportMetricsTo(metrics);
                CollectEveryLog(s);
            });
        var registry = WorkerHosts.Build($"mju.population-registry-{TestHosts.Unique()}", Uri, services: CollectEveryLog);
        var consumerLogs = consumer.Services.GetFakeLogCollector();
        var registryLogs = registry.Services.GetFakeLogCollector();

        try
        {
            await using (await WorkerHosts.StartAsync(consumer, registry))
            {
                var publisher = registry.Services.GetRequiredService<QazBus.Publishing.IContractPublisher>();
                var handled = await publisher.PublishAsync(new CitizenRegisteredV2
                {
                    Iin = "900102345678",
                    LastName = "Сапарова",
                    FirstName = "Айгерим",
                    Patronymic = "Нурлановна",
                    BirthDate = new DateOnly(1990, 1, 2),
                    RegisteredAt = DateTimeOffset.UtcNow,
                });
                await publisher.PublishAsync(
                    new CitizenRegisteredV2
                    {
                        Iin = "851231400123",
                        LastName = "Жумабеков",
                        FirstName = "Ерлан",
                        Patronymic = "Болатович",
                        BirthDate = new DateOnly(1985, 12, 31),
                        RegisteredAt = DateTimeOffset.UtcNow,
                    },
                    new QazBus.Publishing.PublishOptions { CorrelationId = "always-fails" });

                // A non-.NET sender's mistakes, straight to this endpoint's queue (not the shared exchange): an IIN of
                // 11 digits (schema violation), and JSON cut off after personal fields.
                await using var connection = await Broker.CreateConnectionAsync();
                await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
                await SendRawAsync(channel, queue, """
                    {"iin":"77012345678","lastName":"Қасымова","firstName":"Дана","birthDate":"1977-01-23","registeredAt":"2026-11-29T10:00:00Z"}
                    """);
                await SendRawAsync(channel, queue, """{"iin":"770123456789","lastName":"Қасымова","firstName":"Да""");

                await sink.WaitForAsync((_, c) => c.MessageId == handled);

                // Each dead-lettering is logged after its span ended: once the three are logged, every path is done.
                // (Other test assemblies' messages on the shared exchanges may arrive too; they only add texts to check.)
                await WaitForDeadLetteringsAsync(consumerLogs, queue, ["handler-failed", "schema-violation", "malformed-json"], TimeSpan.FromSeconds(30));

                // The failed deliveries' process spans end when their delivery is done, just after that log.
                // (Rejected messages' process spans fail too, but carry no attempt: no handler ran.)
                await spans.WaitForAsync(
                    all => all.Count(a => IsFailedHandling(a, queue)) >= 2,
                    "the two failed deliveries' spans");
                var collected = consumer.CollectMetrics(metrics);

                var texts = new List<(string Where, string Text)>();
                foreach (var span in spans.Snapshot())
                {
                    var name = $"span '{span.DisplayName}'";
                    texts.Add((name, span.DisplayName));
                    texts.Add((name + " status", span.StatusDescription ?? string.Empty));
                    texts.AddRange(span.TagObjects.Select(t => ($"{name} tag {t.Key}", $"{t.Key}={Text(t.Value)}")));
                    texts.AddRange(span.Baggage.Select(b => ($"{name} baggage {b.Key}", $"{b.Key}={b.Value}")));
                    foreach (var spanEvent in span.Events)
                    {
                        texts.Add(($"{name} event", spanEvent.Name));
                        texts.AddRange(spanEvent.Tags.Select(t => ($"{name} event {spanEvent.Name} tag {t.Key}", $"{t.Key}={Text(t.Value)}")));
                    }
                }

                foreach (var metric in collected)
                {
                    foreach (var point in metric.MetricPoints)
                    {
                        texts.AddRange(MetricsTests.Tags(point).Select(t => ($"metric {metric.Name} tag {t.Key}", $"{t.Key}={Text(t.Value)}")));
                    }
                }

                var logs = consumerLogs.GetSnapshot().Concat(registryLogs.GetSnapshot()).ToList();
                foreach (var entry in logs)
                {
                    var name = $"log {entry.Category} {entry.Level}";
                    texts.Add((name, entry.Message));
                    texts.AddRange((entry.StructuredState ?? []).Select(v => (name + " value", $"{v.Key}={v.Value}")));
                    texts.Add((name + " exception", entry.Exception?.ToString() ?? string.Empty));
                }

                // The scenario did take every path, so the check below looked at something.
                Assert.Contains(spans.Snapshot(), s => s.Events.Any(e => e.Name == "retry"));
                Assert.Contains(spans.Snapshot(), s => s.Events.Any(e => e.Name == "redelivery scheduled"));
                Assert.Contains(spans.Snapshot(), s => s.DisplayName == $"{queue}_error dead-letter");
                // The failed deliveries of the second citizen: attempts 1-2, redelivered, attempts 3-4, dead-lettered.
                Assert.Equal(
                    [2, 4],
                    spans.Snapshot()
                        .Where(s => IsFailedHandling(s, queue))
                        .Select(s => (int)s.GetTagItem("qazbus.attempt")!)
                        .Order());
                // The two rejected messages: their process spans fail with the reason code, and say nothing else of the body.
                Assert.Equal(
                    ["malformed-json", "schema-violation"],
                    spans.Snapshot()
                        .Where(s => s.DisplayName == $"{queue} process" && s.Status == ActivityStatusCode.Error && s.GetTagItem("qazbus.attempt") is null)
                        .Select(s => s.StatusDescription)
                        .Order());
                Output.WriteLine($"Checked {texts.Count} texts from {spans.Count} spans, {collected.Count} metrics and {logs.Count} log entries.");

                var leaks = texts
                    .SelectMany(t => PersonalData.Where(p => t.Text.Contains(p, StringComparison.Ordinal)).Select(p => $"{t.Where}: '{p}' in {t.Text}"))
                    .ToList();
                Assert.True(leaks.Count == 0, "Personal data in telemetry or logs:\n" + string.Join("\n", leaks));
            }
        }
        finally
        {
            await using var connection = await Broker.CreateConnectionAsync();
            await BrokerProbe.DeleteEndpointAsync(connection, queue);
        }
    }

    /// <summary>A process span of a delivery whose handler ran and failed (a rejected message has no attempt).</summary>
    private static bool IsFailedHandling(Activity span, string queue) =>
        span.DisplayName == $"{queue} process" && span.Status == ActivityStatusCode.Error && span.GetTagItem("qazbus.attempt") is not null;

    /// <summary>Collects a host's log records at every level, whatever the console's minimum level is.</summary>
    private static void CollectEveryLog(IServiceCollection services)
    {
        services.AddFakeLogging();
        services.Configure<LoggerFilterOptions>(options =>
            options.Rules.Add(new LoggerFilterRule(typeof(FakeLoggerProvider).FullName, null, LogLevel.Trace, null)));
    }

    /// <summary>Waits until a dead-lettering to the error queue is logged for each reason.</summary>
    private static async Task WaitForDeadLetteringsAsync(FakeLogCollector logs, string queue, string[] reasons, TimeSpan timeout)
    {
        var waiting = reasons.ToHashSet(StringComparer.Ordinal);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var record in logs.GetLogsAsync(cancel.Token))
            {
                waiting.RemoveWhere(reason => record.Message.Contains($"to {queue}_error: {reason}", StringComparison.Ordinal));
                if (waiting.Count == 0)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"Timed out waiting for the dead-letterings ({string.Join(", ", waiting)}); {logs.Count} log record(s).");
        }
    }

    private static async Task SendRawAsync(IChannel channel, string queue, string body)
    {
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            Persistent = true,
            MessageId = Guid.NewGuid().ToString(),
            Headers = new Dictionary<string, object?>
            {
                ["cloudEvents:specversion"] = "1.0",
                ["cloudEvents:id"] = Guid.NewGuid().ToString(),
                ["cloudEvents:source"] = "mju.population-registry",
                ["cloudEvents:type"] = "mju.population.citizen-registered",
                ["cloudEvents:time"] = "2026-11-29T10:15:00Z",
                ["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.citizen-registered:v2",
                ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            },
        };
        await channel.BasicPublishAsync(string.Empty, queue, true, properties, Encoding.UTF8.GetBytes(body));
    }

    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        System.Collections.IEnumerable items and not string => string.Join(",", items.Cast<object?>().Select(Text)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
