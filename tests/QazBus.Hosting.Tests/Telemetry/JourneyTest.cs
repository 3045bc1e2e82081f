using QazBus.Runtime;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QazBus.Contracts.Population;
using QazBus.Hosting.Tests.Support;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Hosting.Tests.Telemetry;

/// <summary>
/// The journey of the trace tests, on the real broker: the registry (mju) sends a message, the tax office (kgd)
/// handles it (failing its first attempt, retried) and publishes on, a third agency's system (mtszn) handles that.
/// </summary>
/// <remarks>
/// In one process every TracerProvider sees every QazBus span, so one in-memory exporter on the first host
/// collects the whole journey. In production each agency's process exports its own spans and the collector
/// joins them by trace id; the parent-child links asserted here come only from the AMQP headers.
/// </remarks>
public abstract class JourneyTest(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    protected const string FirstExchange = "mju.population.address-changed.v1";

    // The journey from the tax office on, the same whichever way the registry sent the first message.
    protected static void AssertDownstream(Journey journey, Activity parent, Activity? alternativeParent = null)
    {
        // The tax office processes it: attempt 1 failed, attempt 2 succeeded.
        var taxOfficeSpan = journey.Span($"{journey.TaxOfficeQueue} process");
        Assert.Equal(ActivityKind.Consumer, taxOfficeSpan.Kind);
        Assert.Contains(taxOfficeSpan.ParentSpanId, new[] { parent.SpanId, alternativeParent?.SpanId ?? parent.SpanId });
        AssertMessaging(taxOfficeSpan, journey.TaxOfficeQueue, journey.FirstId, "mju.population.address-changed", journey.RegistrySystem);
        Assert.Equal("process", Tag(taxOfficeSpan, "messaging.operation.type"));
        Assert.Equal(journey.TaxOfficeQueue, Tag(taxOfficeSpan, "qazbus.endpoint"));
        Assert.Equal("2", Tag(taxOfficeSpan, "qazbus.attempt"));
        Assert.Equal("0", Tag(taxOfficeSpan, "qazbus.redelivery"));
        var retry = Assert.Single(taxOfficeSpan.Events, e => e.Name == "retry");
        Assert.Equal(2, retry.Tags.Single(t => t.Key == "qazbus.attempt").Value);
        Assert.Equal([1, 2], journey.TaxOfficeAttempts);

        // The handler publishes on, inside the process span.
        var secondPublish = journey.Span("kgd.taxpayer.address-updated.v1 publish");
        Assert.Equal(taxOfficeSpan.SpanId, secondPublish.ParentSpanId);
        AssertMessaging(secondPublish, "kgd.taxpayer.address-updated.v1", journey.SecondId, "kgd.taxpayer.address-updated", journey.TaxOfficeSystem);

        // The third agency's system processes the second message, still in the same trace.
        var benefitsSpan = journey.Span($"{journey.BenefitsQueue} process");
        Assert.Equal(secondPublish.SpanId, benefitsSpan.ParentSpanId);
        AssertMessaging(benefitsSpan, journey.BenefitsQueue, journey.SecondId, "kgd.taxpayer.address-updated", journey.TaxOfficeSystem);
        Assert.Equal(journey.BenefitsQueue, Tag(benefitsSpan, "qazbus.endpoint"));
        Assert.Equal("1", Tag(benefitsSpan, "qazbus.attempt"));
        Assert.Empty(benefitsSpan.Events);

        Assert.All(journey.Spans, span => Assert.Equal(ActivityStatusCode.Unset, span.Status));
    }

    protected async Task<Journey> RunJourneyAsync(Action<QazBusBuilder>? registryBus, Dictionary<string, string?> registrySettings, int spanCount, Func<IHost, Task<string>> send)
    {
        var unique = TestHosts.Unique();
        var registrySystem = $"mju.population-registry-{unique}";
        var taxOfficeSystem = $"kgd.tax-office-{unique}";
        var benefitsSystem = $"mtszn.social-benefits-{unique}";
        var taxOfficeQueue = $"{taxOfficeSystem}.address-changes";
        var benefitsQueue = $"{benefitsSystem}.taxpayer-addresses";
        var spans = new RecordedCollection<Activity>();
        var taxOfficeSink = new MessageSink<AddressChanged> { FailWhen = c => c.Attempt == 1 };
        var benefitsSink = new MessageSink<TaxpayerAddressUpdated>();

        var registry = WorkerHosts.Build(registrySystem, Uri, registryBus, registrySettings, s => s.ExportSpansTo(spans));
        var taxOffice = WorkerHosts.Build(taxOfficeSystem, Uri,
            bus => bus.AddHandler<AddressChanged, ForwardingHandler>("address-changes"),
            settings: new Dictionary<string, string?> { ["QazBus:Retry:ImmediateRetries"] = "1" },
            services: s => s.AddSingleton(taxOfficeSink));
        var benefits = WorkerHosts.Build(benefitsSystem, Uri,
            bus => bus.AddHandler<TaxpayerAddressUpdated, RecordingHandler<TaxpayerAddressUpdated>>("taxpayer-addresses"),
            services: s => s.AddSingleton(benefitsSink));

        try
        {
            await using (await WorkerHosts.StartAsync(registry, taxOffice, benefits))
            {
                var firstId = await send(registry);
                var (_, forwarded) = await benefitsSink.WaitForAsync((_, c) => c.CorrelationId == firstId);

                // The first message's spans name its id; the trace is theirs. Spans are exported as they end, not
                // in the journey's order (the relay's ends after it has written its message log), so wait for all.
                var first = await spans.WaitForAsync(s => s.Any(a => Tag(a, "messaging.message.id") == firstId), "the first span of the journey");
                var traceId = first.First(a => Tag(a, "messaging.message.id") == firstId).TraceId;
                var all = await spans.WaitForAsync(
                    s => s.Count(a => a.TraceId == traceId) >= spanCount && s.Any(a => a.TraceId == traceId && a.DisplayName == $"{benefitsQueue} process"),
                    $"{spanCount} spans of the journey");
                var inTrace = all.Where(a => a.TraceId == traceId).OrderBy(a => a.StartTimeUtc).ToList();

                foreach (var span in inTrace)
                {
                    Output.WriteLine($"{span.TraceId} {span.SpanId} <- {span.ParentSpanId} {span.Kind,-8} {span.DisplayName}  {string.Join(", ", span.TagObjects.Select(t => $"{t.Key}={t.Value}"))}");
                }

                return new Journey(
                    inTrace,
                    firstId,
                    forwarded.MessageId,
                    registrySystem,
                    taxOfficeSystem,
                    taxOfficeQueue,
                    benefitsQueue,
                    taxOfficeSink.Attempts.Where(a => a.Context.MessageId == firstId).Select(a => a.Context.Attempt).ToList());
            }
        }
        finally
        {
            await using var connection = await Broker.CreateConnectionAsync();
            await BrokerProbe.DeleteEndpointAsync(connection, taxOfficeQueue);
            await BrokerProbe.DeleteEndpointAsync(connection, benefitsQueue);
        }
    }

    protected static AddressChanged Sample() => new()
    {
        Iin = "900102345678",
        NewAddress = new Address { Region = "Almaty", Locality = "Almaty", Street = "Abay 10" },
        ValidFrom = new DateOnly(2026, 12, 1),
    };

    protected static void AssertMessaging(Activity span, string destination, string messageId, string contract, string source)
    {
        Assert.Equal("rabbitmq", Tag(span, "messaging.system"));
        Assert.Equal(destination, Tag(span, "messaging.destination.name"));
        Assert.Equal(messageId, Tag(span, "messaging.message.id"));
        Assert.Equal(contract, Tag(span, "qazbus.contract.name"));
        Assert.Equal("1", Tag(span, "qazbus.contract.version"));
        Assert.Equal(source, Tag(span, "qazbus.source"));
    }

    protected static string? Tag(Activity span, string name) =>
        span.TagObjects.FirstOrDefault(t => t.Key == name).Value is { } value
            ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>The spans of one trace, and who was who in it.</summary>
    protected sealed record Journey(
        IReadOnlyList<Activity> Spans,
        string FirstId,
        string SecondId,
        string RegistrySystem,
        string TaxOfficeSystem,
        string TaxOfficeQueue,
        string BenefitsQueue,
        IReadOnlyList<int> TaxOfficeAttempts)
    {
        public Activity Span(string name) => Assert.Single(Spans, span => span.DisplayName == name);
    }
}
