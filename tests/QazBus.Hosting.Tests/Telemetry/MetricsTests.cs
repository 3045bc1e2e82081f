using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using QazBus.Hosting.Tests.Support;
using QazBus.Publishing;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Hosting.Tests.Telemetry;

/// <summary>The metrics an operator reads, asserted after a known scenario on the real broker.</summary>
/// <remarks>
/// The contract is this assembly's own (<see cref="TaxpayerAddressUpdated"/>): no other test assembly publishes it,
/// so nothing they send to the shared broker at the same time lands in this test's queue and its counts.
/// </remarks>
public sealed class MetricsTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const string Contract = "kgd.taxpayer.address-updated";

    [Fact]
    public async Task Three_published_one_retried_one_dead_lettered_show_in_counters_histogram_and_queue_depth()
    {
        var system = $"mtszn.social-benefits-{TestHosts.Unique()}";
        var queue = $"{system}.taxpayer-addresses";
        var (ok, flaky, poison) = (Guid.CreateVersion7().ToString(), Guid.CreateVersion7().ToString(), Guid.CreateVersion7().ToString());
        var sink = new MessageSink<TaxpayerAddressUpdated>
        {
            // flaky fails its first attempt (retried, then handled); poison fails for good (dead-lettered at once).
            FailWhen = c => c.MessageId == poison || (c.MessageId == flaky && c.Attempt == 1),
            Failure = c => c.MessageId == poison
                ? new ArgumentException("Test handler rejects this message for good.")
                : new InvalidOperationException("Test handler fails once."),
        };
        var metrics = new RecordedCollection<MetricSnapshot>();
        var consumer = WorkerHosts.Build(system, Uri,
            bus => bus.AddHandler<TaxpayerAddressUpdated, RecordingHandler<TaxpayerAddressUpdated>>("taxpayer-addresses"),
            settings: new Dictionary<string, string?>
            {
                ["QazBus:Retry:ImmediateRetries"] = "1",
                ["QazBus:Retry:Delays"] = "none",
                ["QazBus:Retry:PermanentExceptions:0"] = "System.ArgumentException",
                ["QazBus:Telemetry:SampleInterval"] = "00:00:00.2",
            },
            services: s =>
            {
                s.AddSingleton(sink);
                s.ExportMetricsTo(metrics);
            });
        var taxOffice = WorkerHosts.Build($"kgd.tax-office-{TestHosts.Unique()}", Uri);

        try
        {
            await using (await WorkerHosts.StartAsync(consumer, taxOffice))
            {
                var publisher = taxOffice.Services.GetRequiredService<IContractPublisher>();
                foreach (var id in new[] { ok, flaky, poison })
                {
                    await publisher.PublishAsync(Sample(id), new PublishOptions { MessageId = id });
                }

                await sink.WaitForAsync((_, c) => c.MessageId == ok);
                await sink.WaitForAsync((_, c) => c.MessageId == flaky);
                await using var connection = await Broker.CreateConnectionAsync();
                await using (var channel = await connection.CreateChannelAsync())
                {
                    // The dead-lettered message is in the error queue once its depth says 1; leave it there.
                    await WaitUntilAsync(async () => await channel.MessageCountAsync($"{queue}_error") == 1, "the poison message in the error queue");
                }

                // The counters are final once the error queue has the message; the depth gauge needs one more sample.
                IReadOnlyList<MetricSnapshot> collected = [];
                await WaitUntilAsync(() =>
                {
                    collected = consumer.CollectMetrics(metrics);
                    return Task.FromResult(Sum(collected, "qazbus.queue.depth", ("messaging.destination.name", $"{queue}_error")) == 1
                        && Sum(collected, "qazbus.messages.dead_lettered", ("qazbus.endpoint", queue)) == 1);
                }, "the metrics of the scenario");

                foreach (var metric in collected.Where(m => m.Name.StartsWith("qazbus.", StringComparison.Ordinal)))
                {
                    foreach (var point in metric.MetricPoints)
                    {
                        Output.WriteLine($"{metric.Name} {{{string.Join(", ", Tags(point).Select(t => $"{t.Key}={t.Value}"))}}} = {Value(metric, point)}");
                    }
                }

                Assert.Equal(3, Sum(collected, "qazbus.messages.published", ("qazbus.contract.name", Contract), ("qazbus.contract.version", 1)));
                Assert.Equal(2, Sum(collected, "qazbus.messages.consumed", ("qazbus.endpoint", queue), ("qazbus.contract.name", Contract)));
                Assert.Equal(2, Sum(collected, "qazbus.messages.failed", ("qazbus.endpoint", queue))); // flaky's first attempt, poison's only one
                Assert.Equal(1, Sum(collected, "qazbus.messages.retried", ("qazbus.endpoint", queue)));
                Assert.Equal(1, Sum(collected, "qazbus.messages.dead_lettered", ("qazbus.endpoint", queue), ("qazbus.error.reason", "handler-failed")));
                Assert.Equal(0, Sum(collected, "qazbus.messages.redelivered", ("qazbus.endpoint", queue)));
                Assert.Equal(4, Sum(collected, "qazbus.handler.duration", ("qazbus.endpoint", queue))); // attempts: 1 + 2 + 1
                Assert.Equal(0, Sum(collected, "qazbus.queue.depth", ("messaging.destination.name", queue), ("qazbus.queue.kind", "endpoint")));
                Assert.Equal(1, Sum(collected, "qazbus.queue.depth", ("messaging.destination.name", $"{queue}_error"), ("qazbus.endpoint", queue), ("qazbus.queue.kind", "error")));

                var units = collected.ToDictionary(m => m.Name, m => m.Unit);
                Assert.Equal("{message}", units["qazbus.messages.published"]);
                Assert.Equal("s", units["qazbus.handler.duration"]);
                Assert.Equal("{message}", units["qazbus.queue.depth"]);
            }
        }
        finally
        {
            await using var connection = await Broker.CreateConnectionAsync();
            await BrokerProbe.DeleteEndpointAsync(connection, queue);
        }
    }

    private static TaxpayerAddressUpdated Sample(string id) => new() { Iin = "900102345678", Locality = $"Karaganda {id[..4]}" };

    /// <summary>The sum over the points of <paramref name="name"/> whose tags include all of <paramref name="tags"/>; for a histogram, the count.</summary>
    internal static double Sum(IEnumerable<MetricSnapshot> metrics, string name, params (string Key, object Value)[] tags)
    {
        double sum = 0;
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (var point in metric.MetricPoints)
            {
                var pointTags = Tags(point);
                if (tags.All(t => pointTags.TryGetValue(t.Key, out var value) && Equals(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture))))
                {
                    sum += Value(metric, point);
                }
            }
        }

        return sum;
    }

    internal static Dictionary<string, object?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }

    internal static double Value(MetricSnapshot metric, MetricPoint point) => metric.MetricType switch
    {
        MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
        MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
        MetricType.LongGauge => point.GetGaugeLastValueLong(),
        MetricType.DoubleGauge => point.GetGaugeLastValueDouble(),
        MetricType.Histogram => point.GetHistogramCount(),
        _ => throw new NotSupportedException(metric.MetricType.ToString()),
    };

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }
}
