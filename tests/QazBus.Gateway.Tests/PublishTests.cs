using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using QazBus.Gateway.Problems;
using QazBus.Wire;

namespace QazBus.Gateway.Tests;

/// <summary>Publishing over HTTP: the body checked, written to the outbox, relayed to the bus with the client as source.</summary>
[Collection(GatewayCollection.Name)]
public sealed class PublishTests(GatewayFixture fixture)
{
    private const string AddressChanged = "/v1/messages/mju.population.address-changed/v1";

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal const string ValidAddressChange = """
        {"iin":"870412300415","newAddress":{"region":"Almaty","locality":"Almaty","street":"Abay 1"},"validFrom":"2026-12-01"}
        """;

    [Fact]
    public async Task Publish_is_accepted_and_reaches_the_bus_with_the_client_system_as_source()
    {
        var queue = await BindQueueAsync("mju.population.address-changed.v1");
        using var client = GatewayFixture.Client(fixture.Gateway, fixture.PopulationKey);

        var response = await client.PostAsync(AddressChanged, Json(ValidAddressChange));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var messageId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString();
        Assert.False(string.IsNullOrEmpty(messageId));
        var delivered = await queue.NextAsync();
        Assert.Equal(messageId, Header(delivered, WireHeaders.Id));
        Assert.Equal("mju.population-registry", Header(delivered, WireHeaders.Source));
        Assert.Equal("870412300415", JsonDocument.Parse(delivered.Body).RootElement.GetProperty("iin").GetString());
    }

    [Fact]
    public async Task A_retry_with_the_same_Idempotency_Key_gets_the_same_message_id_and_sends_no_second_message()
    {
        var queue = await BindQueueAsync("mju.population.address-changed.v1");
        using var client = GatewayFixture.Client(fixture.Gateway, fixture.PopulationKey);
        var key = Guid.NewGuid().ToString();

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, AddressChanged) { Content = Json(ValidAddressChange) };
            request.Headers.Add("Idempotency-Key", key);
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString()!);
        }

        Assert.Single(ids.Distinct());
        var first = await queue.NextAsync();
        Assert.Equal(ids[0], Header(first, WireHeaders.Id));
        // A marker published after the retries: when it arrives, anything the retries sent would have arrived before it.
        var marker = await client.PostAsync(AddressChanged, Json(ValidAddressChange));
        var markerId = (await marker.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString();
        var next = await queue.NextAsync();
        Assert.Equal(markerId, Header(next, WireHeaders.Id));

        // The same key with another body is refused, not silently answered with the old id.
        using var other = new HttpRequestMessage(HttpMethod.Post, AddressChanged) { Content = Json(ValidAddressChange.Replace("Abay 1", "Abay 2", StringComparison.Ordinal)) };
        other.Headers.Add("Idempotency-Key", key);
        await AssertProblemAsync(await client.SendAsync(other), HttpStatusCode.UnprocessableEntity, GatewayProblems.BadIdempotencyKey);
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static string? Header(BasicGetResult message, string name) =>
        message.BasicProperties.Headers?.TryGetValue(name, out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;

    private async Task<TestQueue> BindQueueAsync(string exchange)
    {
        var factory = new ConnectionFactory { Uri = new Uri(fixture.Broker.Uri) };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, "fanout", durable: true, autoDelete: false);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "");
        return new TestQueue(connection, channel, queue);
    }

    private sealed class TestQueue(IConnection connection, IChannel channel, string queue) : IAsyncDisposable
    {
        /// <summary>The next message, waiting for it up to a minute (the relay publishes after the commit).</summary>
        public async Task<BasicGetResult> NextAsync()
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while (true)
            {
                if (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
                {
                    return message;
                }

                await Task.Delay(50, limit.Token);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
