using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Pipeline;

/// <summary>
/// Bad input never stops a consumer: each kind of bad message goes to the endpoint's error queue with its reason,
/// untouched, and the good message published right after it is handled.
/// </summary>
public sealed class BadInputTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const string GoodBody = """{"iin":"900102300123","newAddress":{"region":"Almaty","locality":"Almaty","street":"Abay 1"},"validFrom":"2026-12-01"}""";

    public static TheoryData<string, string, string> Cases => new()
    {
        // case name, expected reason, words the reason message must contain
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
        // Header values of the wrong AMQP type: never turned into text (a table as id would make every such message a duplicate).
        { "id-as-table", "invalid-header", "'cloudEvents:id' is an AMQP table" },
        { "id-as-integer", "invalid-header", "'cloudEvents:id' is an AMQP integer" },
        { "source-as-array", "invalid-header", "'cloudEvents:source' is an AMQP array" },
        { "type-as-boolean", "invalid-header", "'cloudEvents:type' is an AMQP boolean" },
        { "id-not-utf8", "invalid-header", "'cloudEvents:id' holds 4 bytes that are not valid UTF-8" },
        { "id-too-long", "invalid-header", "'cloudEvents:id' is 300 characters long; QazBus accepts at most 256" },
        { "alternative-prefix-as-table", "invalid-header", "'cloudEvents_id' is an AMQP table" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_message_goes_to_the_error_queue_with_its_reason_and_the_next_message_flows(string @case, string reason, string named)
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var queue = $"{system}.address-changes";
        var sink = new MessageSink<AddressChanged>();
        using var host = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            settings: new Dictionary<string, string?> { ["QazBus:MaxMessageBytes"] = "2048" },
            services: s => s.AddSingleton(sink));
        await host.StartAsync();

        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));

        var badId = $"bad-{@case}-{TestHosts.Unique()}";
        var (badBody, badHeaders) = Bad(@case, badId);
        var sentHeaders = new Dictionary<string, object?>(badHeaders); // the client adds its own x-dotnet-pub-seq-no to the one it sends
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { ContentType = "application/json", Persistent = true, Headers = badHeaders }, Encoding.UTF8.GetBytes(badBody));

        var goodId = $"good-{TestHosts.Unique()}";
        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { ContentType = "application/json", Persistent = true, Headers = Headers(goodId) }, Encoding.UTF8.GetBytes(GoodBody));

        // The next message flows...
        await sink.WaitForAsync((_, c) => c.MessageId == goodId);
        Assert.DoesNotContain(sink.Received, r => r.Context.MessageId == badId);

        // ...and the bad one waits in the error queue, body and headers untouched, reason added.
        var dead = await GetAsync(channel, $"{queue}_error");
        Assert.Equal(badBody, Encoding.UTF8.GetString(dead.Body.Span));
        var headers = dead.BasicProperties.Headers!;
        string? Text(string name) => headers.TryGetValue(name, out var v) && v is byte[] b ? Encoding.UTF8.GetString(b) : null;
        Output.WriteLine($"{@case}: {Text("qazbus-error-reason")}: {Text("qazbus-error-message")}");
        Assert.Equal(reason, Text("qazbus-error-reason"));
        Assert.Contains(named, Text("qazbus-error-message"), StringComparison.Ordinal);
        Assert.Equal(queue, Text("qazbus-error-endpoint"));
        Assert.Equal(system, Text("qazbus-error-system"));
        foreach (var (name, value) in sentHeaders)
        {
            // Text headers come back byte for byte; others (tables, numbers) keep their AMQP type.
            if (value is string text)
            {
                Assert.Equal(text, Text(name));
            }
            else if (value is byte[] bytes)
            {
                Assert.Equal(bytes, headers[name] as byte[]);
            }
            else
            {
                Assert.True(headers.TryGetValue(name, out var kept) && kept is not null, $"header '{name}' was dropped from the dead letter");
            }
        }

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
            case "id-as-integer":
                headers["cloudEvents:id"] = 42;
                return (GoodBody, headers);
            case "source-as-array":
                headers["cloudEvents:source"] = new List<object?> { "mju.population-registry" };
                return (GoodBody, headers);
            case "type-as-boolean":
                headers["cloudEvents:type"] = true;
                return (GoodBody, headers);
            case "id-not-utf8":
                headers["cloudEvents:id"] = new byte[] { 0x69, 0x64, 0xC3, 0x28 };
                return (GoodBody, headers);
            case "id-too-long":
                headers["cloudEvents:id"] = new string('a', 300);
                return (GoodBody, headers);
            case "alternative-prefix-as-table":
                headers.Remove("cloudEvents:id");
                headers["cloudEvents_id"] = new Dictionary<string, object?> { ["value"] = id };
                return (GoodBody, headers);
            default:
                throw new ArgumentOutOfRangeException(nameof(@case), @case, null);
        }
    }

    private static Dictionary<string, object?> Headers(string id) => new()
    {
        ["cloudEvents:specversion"] = "1.0",
        ["cloudEvents:id"] = id,
        ["cloudEvents:source"] = "mju.population-registry",
        ["cloudEvents:type"] = "mju.population.address-changed",
        ["cloudEvents:time"] = "2026-11-29T10:15:00Z",
        ["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.address-changed:v1",
    };

    private static async Task<BasicGetResult> GetAsync(IChannel channel, string queue)
    {
        // The error queue write is confirmed before the ack, but the good message may be handled first
        // on another worker: poll briefly.
        for (var i = 0; i < 100; i++)
        {
            var result = await channel.BasicGetAsync(queue, autoAck: true);
            if (result is not null)
            {
                return result;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Nothing arrived in {queue} within 10 s.");
    }
}
