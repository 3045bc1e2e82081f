using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Publishing;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Hosting.Tests.Telemetry;

/// <summary>
/// One trace per message across agencies: the trace context travels in the AMQP <c>traceparent</c> header from
/// the registry (mju) to the tax office (kgd), whose handler fails once, is retried, and publishes on to a third
/// agency's system (mtszn).
/// </summary>
public sealed class TraceAcrossAgenciesTests(BrokerFixture fixture, ITestOutputHelper output) : JourneyTest(fixture, output)
{
    [Fact]
    public async Task One_trace_covers_publish_a_retried_consume_in_another_agency_the_second_publish_and_a_third_system()
    {
        var journey = await RunJourneyAsync(
            registryBus: null,
            registrySettings: [],
            spanCount: 4,
            send: registry => registry.Services.GetRequiredService<IContractPublisher>().PublishAsync(Sample()));

        // 1. The registry publishes (producer span, the trace's root).
        var publishSpan = journey.Span($"{FirstExchange} publish");
        Assert.Equal(ActivityKind.Producer, publishSpan.Kind);
        Assert.Equal(default, publishSpan.ParentSpanId);
        AssertMessaging(publishSpan, FirstExchange, journey.FirstId, "mju.population.address-changed", journey.RegistrySystem);
        Assert.Equal("publish", Tag(publishSpan, "messaging.operation.name"));
        Assert.Equal("send", Tag(publishSpan, "messaging.operation.type"));

        // 2-4. The tax office, the second publish, the third system.
        AssertDownstream(journey, publishSpan);
        Assert.Equal(4, journey.Spans.Count);
    }
}
