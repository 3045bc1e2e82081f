using System.Text;
using QazBus.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.MassTransit.Tests;

/// <summary>
/// The SDK's bad-input cases on a MassTransit endpoint: each bad message goes to the endpoint's error queue with the
/// SDK's reason code and error headers, no consumer sees it, and the good message right after it is consumed.
/// </summary>
public sealed class BadInputTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const string GoodBody = """{"iin":"900102300123","newAddress":{"region":"Almaty","locality":"Almaty","street":"Abay 1"},"validFrom":"2026-12-01"}""";

    public static TheoryData<string, string, string> Cases => new()
    {
        { "body-not-json", "malformed-json", "not well-formed JSON" },
        { "unknown-contract", "unknown-contract", "mju.population.name-changed" },
        { "unknown-version", "unknown-version", "not v9" },
        { "missing-id", "missing-header", "cloudEvents:id" },
        { "missing-dataschema", "missing-header", "cloudEvents:dataschema" },
        { "missing-required-field", "deserialization-failed", "iin" },
        { "wrong-field-type", "deserialization-failed", "validFrom" },
        { "forged-sender", "sender-not-owner", "kgd.tax-office" },
        { "bad-spec-version", "invalid-header", "cloudEvents:specversion" },
        { "oversized", "oversized", "MaxMessageBytes" },
        { "id-as-table", "invalid-header", "'cloudEvents:id' is an AMQP table" },
        { "type-as-boolean", "invalid-header", "'cloudEvents:type' is an AMQP boolean" },
        { "schema-violation", "schema-violation", "iin" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_message_goes_to_the_error_queue_with_the_SDKs_reason_and_the_next_message_flows(string @case, string reason, string named)
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var queue = $"{system}.{MassTransitHosts.Endpoint}";
        var received = new Received();
        using var host = MassTransitHosts.Build(system, Uri, received, new Dictionary<string, string?> { ["QazBus:MaxMessageBytes"] = "2048" });
        await host.StartAsync();

        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var badId = $"bad-{@case}-{TestHosts.Unique()}";
        var (badBody, badHeaders) = Bad(@case, badId);
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { ContentType = "application/json", Persistent = true, Headers = badHeaders }, Encoding.UTF8.GetBytes(badBody));
        var goodId = $"good-{TestHosts.Unique()}";
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { ContentType = "application/json", Persistent = true, Headers = Headers(goodId) }, Encoding.UTF8.GetBytes(GoodBody));

        var good = await received.WaitForAsync(r => r.CloudEventsId == goodId);
        Assert.Equal(nameof(AddressConsumer), good.Consumer);

        var dead = await GetAsync(channel, $"{queue}_error");
        Assert.Equal(badBody, Encoding.UTF8.GetString(dead.Body.Span));
        var headers = dead.BasicProperties.Headers!;
        string? Text(string name) => headers.TryGetValue(name, out var v) && v is byte[] b ? Encoding.UTF8.GetString(b) : null;
        Output.WriteLine($"{@case}: {Text("qazbus-error-reason")}: {Text("qazbus-error-message")}");
        Assert.Equal(reason, Text("qazbus-error-reason"));
        Assert.Contains(named, Text("qazbus-error-message"), StringComparison.Ordinal);
        Assert.Equal(queue, Text("qazbus-error-endpoint"));
        Assert.Equal(system, Text("qazbus-error-system"));
        Assert.Single(received.Items); // only the good one: never silently consumed or skipped
        await host.StopAsync();
        await channel.QueueDeleteAsync(queue);
        await channel.QueueDeleteAsync($"{queue}_error");
    }

    [Fact]
    public async Task A_failing_consumer_is_retried_by_the_SDKs_policy_then_dead_lettered_with_handler_failed()
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var queue = $"{system}.{MassTransitHosts.Endpoint}";
        var received = new Received { FailWhen = _ => true };
        using var host = MassTransitHosts.Build(system, Uri, received, new Dictionary<string, string?>
        {
            ["QazBus:Retry:ImmediateRetries"] = "2",
            ["QazBus:Retry:Delays"] = "1s",
        });
        await host.StartAsync();
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var id = $"fails-{TestHosts.Unique()}";
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { ContentType = "application/json", Persistent = true, Headers = Headers(id) }, Encoding.UTF8.GetBytes(GoodBody));

        var dead = await GetAsync(channel, $"{queue}_error", attempts: 300);
        var headers = dead.BasicProperties.Headers!;
        string? Text(string name) => headers.TryGetValue(name, out var v) && v is byte[] b ? Encoding.UTF8.GetString(b) : v?.ToString();
        Assert.Equal("handler-failed", Text("qazbus-error-reason"));
        Assert.Equal("6", Text("qazbus-attempts")); // 3 attempts, a redelivery through qazbus.delay.1s, 3 more
        Assert.Equal(typeof(InvalidOperationException).FullName, Text("qazbus-error-exception"));
        Assert.Equal(6, received.Items.Count);
        await host.StopAsync();
        await channel.QueueDeleteAsync(queue);
        await channel.QueueDeleteAsync($"{queue}_error");
    }

    private static (string Body, Dictionary<string, object?> Headers) Bad(string @case, string id)
    {
        var headers = Headers(id);
        switch (@case)
        {
            case "body-not-json":
                return ("iin=900102300123;street=Abay 1", headers);
            case "unknown-contract":
                headers["cloudEvents:type"] = "mju.population.name-changed";
                headers["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.name-changed:v1";
                return (GoodBody, headers);
            case "unknown-version":
                headers["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.address-changed:v9";
                return (GoodBody, headers);
            case "missing-id":
                headers.Remove("cloudEvents:id");
                return (GoodBody, headers);
            case "missing-dataschema":
                headers.Remove("cloudEvents:dataschema");
                return (GoodBody, headers);
            case "missing-required-field":
                return ("""{"newAddress":{"region":"Almaty","locality":"Almaty","street":"Abay 1"},"validFrom":"2026-12-01"}""", headers);
            case "wrong-field-type":
                return ("""{"iin":"900102300123","newAddress":{"region":"Almaty","locality":"Almaty","street":"Abay 1"},"validFrom":42}""", headers);
            case "forged-sender":
                headers["cloudEvents:source"] = "kgd.tax-office";
                return (GoodBody, headers);
            case "bad-spec-version":
                headers["cloudEvents:specversion"] = "0.3";
                return (GoodBody, headers);
            case "oversized":
                return (GoodBody.Replace("Abay 1", new string('x', 3000), StringComparison.Ordinal), headers);
            case "id-as-table":
                headers["cloudEvents:id"] = new Dictionary<string, object?> { ["value"] = id };
                return (GoodBody, headers);
            case "type-as-boolean":
                headers["cloudEvents:type"] = true;
                return (GoodBody, headers);
            case "schema-violation":
                return (GoodBody.Replace("900102300123", "12ab", StringComparison.Ordinal), headers);
            default:
                throw new ArgumentOutOfRangeException(nameof(@case), @case, null);
        }
    }

    internal static Dictionary<string, object?> Headers(string id) => new()
    {
        ["cloudEvents:specversion"] = "1.0",
        ["cloudEvents:id"] = id,
        ["cloudEvents:source"] = "mju.population-registry",
        ["cloudEvents:type"] = "mju.population.address-changed",
        ["cloudEvents:time"] = "2026-11-29T10:15:00Z",
        ["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.address-changed:v1",
    };

    internal static async Task<BasicGetResult> GetAsync(IChannel channel, string queue, int attempts = 100)
    {
        for (var i = 0; i < attempts; i++)
        {
            var result = await channel.BasicGetAsync(queue, autoAck: true);
            if (result is not null)
            {
                return result;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Nothing arrived in {queue} within {attempts / 10} s.");
    }
}
