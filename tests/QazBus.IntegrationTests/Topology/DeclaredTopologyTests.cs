using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Naming;
using QazBus.Schemas.Topology;
using QazBus.Retry;
using QazBus.TestSupport;
using QazBus.Transport.RabbitMq;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Topology;

/// <summary>
/// One topology description: what the transport declares on the broker is exactly what <c>qazbus topology</c> writes
/// into the definitions for the same endpoint, delay level and contract exchange.
/// </summary>
public sealed class DeclaredTopologyTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    [Fact]
    public async Task The_transport_declares_exactly_the_generated_definitions_of_an_endpoint_a_delay_level_and_a_contract_exchange()
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();
        Output.WriteLine($"Using {vhost.Description}");
        var management = Environment.GetEnvironmentVariable(RabbitMqFixture.ManagementUriVariable)
            ?? throw new InvalidOperationException($"{RabbitMqFixture.ManagementUriVariable} is not set: run the tests with ./build.sh up, which starts RabbitMQ with its management API.");
        using var api = new BrokerManagement(management, vhost.Uri);

        var registry = RepositoryFiles.SampleRegistry();
        var subscription = registry.Subscriptions[0];
        var queue = BusNames.Queue(subscription.System, subscription.Endpoint);
        var contractExchanges = registry.Subscriptions
            .Where(s => BusNames.Queue(s.System, s.Endpoint) == queue)
            .Select(s => BusNames.Exchange(s.Contract, s.Version))
            .ToArray();
        var delay = DelayLevels.All[0];

        var transport = new RabbitMqTransport(
            Options.Create(new QazBusOptions { System = subscription.System, Transport = TransportKind.RabbitMq, RabbitMq = { Uri = vhost.Uri } }),
            NullLogger<RabbitMqTransport>.Instance);
        await using (transport)
        {
            await transport.DeclareExchangeAsync(TopologyGenerator.FaultExchange, CancellationToken.None);
            await transport.DeclareEndpointAsync(queue, contractExchanges, CancellationToken.None);
            await transport.SendDelayedAsync(queue, new QazBus.Transport.TransportMessage { Body = "{}"u8.ToArray(), MessageId = "declares-the-level" }, delay, CancellationToken.None);
        }

        var generated = JsonDocument.Parse(TopologyGenerator.ToJson(TopologyGenerator.Generate(registry, "qazbus")));
        using var declared = await api.DefinitionsAsync();
        var level = DelayLevels.QueueName(delay);
        string[] exchanges = [TopologyGenerator.FaultExchange, .. contractExchanges, BusNames.ErrorQueue(queue), level];
        string[] queues = [queue, BusNames.ErrorQueue(queue), level];

        // Not vacuous: the generator lists every one of them (bindings: the error queue's, the level's, one per contract).
        var expected = (Exchanges: Select(generated, "exchanges", "name", exchanges, ExchangeShape), Queues: Select(generated, "queues", "name", queues, QueueShape), Bindings: Select(generated, "bindings", "destination", queues, BindingShape));
        Assert.Equal(exchanges.Length, expected.Exchanges.Count);
        Assert.Equal(queues.Length, expected.Queues.Count);
        Assert.Equal(2 + contractExchanges.Length, expected.Bindings.Count);
        Output.WriteLine(string.Join('\n', [.. expected.Exchanges, .. expected.Queues, .. expected.Bindings]));

        Assert.Equal(expected.Exchanges, Select(declared, "exchanges", "name", exchanges, ExchangeShape));
        Assert.Equal(expected.Queues, Select(declared, "queues", "name", queues, QueueShape));
        Assert.Equal(expected.Bindings, Select(declared, "bindings", "destination", queues, BindingShape));
    }

    // The same fields in both documents (the vhost differs by design), arguments with their keys in order.
    private static string ExchangeShape(JsonElement e) => $"{e.GetProperty("name")} {e.GetProperty("type")} durable={e.GetProperty("durable")} auto_delete={e.GetProperty("auto_delete")} internal={e.GetProperty("internal")} {Arguments(e)}";

    private static string QueueShape(JsonElement q) => $"{q.GetProperty("name")} durable={q.GetProperty("durable")} auto_delete={q.GetProperty("auto_delete")} {Arguments(q)}";

    private static string BindingShape(JsonElement b) => $"{b.GetProperty("source")} -> {b.GetProperty("destination")} ({b.GetProperty("destination_type")}) key '{b.GetProperty("routing_key")}' {Arguments(b)}";

    private static string Arguments(JsonElement element) =>
        string.Join(", ", element.GetProperty("arguments").EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetRawText()}"));

    private static IReadOnlyList<string> Select(JsonDocument definitions, string kind, string nameField, IReadOnlyCollection<string> names, Func<JsonElement, string> shape) =>
        [.. definitions.RootElement.GetProperty(kind).EnumerateArray()
            .Where(item => names.Contains(item.GetProperty(nameField).GetString()!, StringComparer.Ordinal))
            .Select(shape)
            .Order(StringComparer.Ordinal)];
}
