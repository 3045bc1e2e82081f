using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Handling;
using QazBus.Observation;
using QazBus.Queries;
using QazBus.TestSupport;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Queries;

/// <summary>
/// The promise of queries to agencies that do not use .NET: a Node system with plain amqplib (samples/node-query, no
/// QazBus code) asks a QazBus provider and answers a QazBus requester, on the real broker. Each test has a virtual
/// host of its own, so the request exchange reaches only the provider the test started.
/// </summary>
public sealed class NodeQueryTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const string KnownIin = "900101300123";
    private const string UnknownIin = "991231400999";
    private const string NoDataMessage = "The population registry has no citizen with the IIN asked about."; // provider.js's text
    private static readonly TimeSpan ScriptLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_Node_requester_gets_the_card_from_a_NET_provider_and_no_data_for_an_unknown_IIN()
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();
        Output.WriteLine($"Using {vhost.Description}");
        var unique = TestHosts.Unique();
        var provider = $"mju.population-registry-{unique}";
        var requester = $"kgd.node-requester-{unique}";
        var seen = new SeenRequests();
        using var host = TestHosts.Build(provider, vhost.Uri,
            bus => bus.AddQueryHandler<CitizenByIin, CitizenCard, CitizenCards>("citizen-queries"),
            services: s => s.AddSingleton(seen).AddSingleton<IQueryAccessPolicy>(new ApprovedRequesters(requester)));
        await host.StartAsync();

        // A known IIN: the card, answered to direct reply-to, with the hash the SDK computed over what Node sent.
        var ok = await AskAsync(vhost.Uri, requester, KnownIin);
        Assert.Equal("ok", ok.GetProperty("status").GetString());
        Assert.True(ok.GetProperty("hashVerified").GetBoolean());
        Assert.Equal(provider, ok.GetProperty("provider").GetString());
        var card = ok.GetProperty("body");
        Assert.Equal(KnownIin, card.GetProperty("iin").GetString());
        Assert.Equal("Seitkaliyev", card.GetProperty("lastName").GetString());
        Assert.Equal("Nurlan", card.GetProperty("firstName").GetString());
        Assert.Equal("1990-01-01", card.GetProperty("birthDate").GetString());
        Assert.Equal("Mangilik El 8, 12", card.GetProperty("address").GetProperty("street").GetString());
        Assert.Equal("010000", card.GetProperty("address").GetProperty("postalCode").GetString());
        Assert.Equal(CitizenCards.UpdatedAt, DateTimeOffset.Parse(card.GetProperty("updatedAt").GetString()!, CultureInfo.InvariantCulture));
        var handled = seen.Of(ok.GetProperty("requestId").GetString()!);
        Assert.Equal(requester, handled.Requester);
        Assert.Equal(handled.RequestHash, ok.GetProperty("requestHash").GetString());

        // An unknown IIN: the handler's NoDataException reaches Node as a no-data rejection with its message.
        var noData = await AskAsync(vhost.Uri, requester, UnknownIin);
        Assert.Equal("no-data", noData.GetProperty("status").GetString());
        Assert.True(noData.GetProperty("hashVerified").GetBoolean());
        var rejection = noData.GetProperty("body");
        Assert.Equal("no-data", rejection.GetProperty("code").GetString());
        Assert.Equal(CitizenCards.NoDataText, rejection.GetProperty("message").GetString());
        Assert.Equal("mju.population.citizen-by-iin", rejection.GetProperty("query").GetString());
        Assert.Equal(1, rejection.GetProperty("version").GetInt32());
        Assert.Equal(seen.Of(noData.GetProperty("requestId").GetString()!).RequestHash, noData.GetProperty("requestHash").GetString());

        // A system the policy does not approve is answered access-denied, not handled.
        var stranger = await AskAsync(vhost.Uri, $"kgd.stranger-{unique}", KnownIin);
        Assert.Equal("access-denied", stranger.GetProperty("status").GetString());
        Assert.Equal(2, seen.Count);

        await host.StopAsync();
    }

    [Fact]
    public async Task A_NET_requester_gets_the_card_from_a_Node_provider_and_NoDataException_for_an_unknown_IIN()
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();
        Output.WriteLine($"Using {vhost.Description}");
        var unique = TestHosts.Unique();
        var provider = $"mju.node-provider-{unique}";
        using var node = await StartProviderAsync(vhost.Uri, provider);
        using var host = TestHosts.Build($"kgd.tax-office-{unique}", vhost.Uri);
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IQueryClient>();

        var card = await client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = KnownIin }, TimeSpan.FromSeconds(10));
        Assert.Equal(KnownIin, card.Iin);
        Assert.Equal("Seitkaliyev", card.LastName);
        Assert.Equal("Nurlan", card.FirstName);
        Assert.Equal(new DateOnly(1990, 1, 1), card.BirthDate);
        Assert.Equal(new Address { Region = "Astana", Locality = "Astana", Street = "Mangilik El 8, 12", PostalCode = "010000" }, card.Address);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero), card.UpdatedAt);

        // A card without an address: the field is left out of the JSON, and reads as null.
        var withoutAddress = await client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = "850315400456" }, TimeSpan.FromSeconds(10));
        Assert.Equal("Abenova", withoutAddress.LastName);
        Assert.Null(withoutAddress.Address);

        var noData = await Assert.ThrowsAsync<NoDataException>(() =>
            client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = UnknownIin }, TimeSpan.FromSeconds(10)));
        Assert.Equal(NoDataMessage, noData.Message);
        Assert.Equal(provider, noData.Provider);
        Assert.NotNull(noData.RequestId);

        await host.StopAsync();
    }

    [Fact]
    public async Task A_NET_asynchronous_request_is_answered_by_the_Node_provider_in_the_requesters_reply_queue()
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();
        Output.WriteLine($"Using {vhost.Description}");
        var unique = TestHosts.Unique();
        var provider = $"mju.node-provider-{unique}";
        using var node = await StartProviderAsync(vhost.Uri, provider);
        var answers = new Answers();
        var sent = new SentRequests();
        using var host = TestHosts.Build($"kgd.tax-office-{unique}", vhost.Uri,
            bus => bus.AddQueryResponseHandler<CitizenByIin, CitizenCard, AnswerRecorder>(),
            services: s => s.AddSingleton(answers).AddSingleton<IMessageObserver>(sent));
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IQueryClient>();

        // reply-to is {requester}.replies: the provider publishes to that fanout exchange, and the answer rides the
        // requester's consume pipeline (envelope, contract, body, hash header) into the response handler.
        var known = await client.SendRequestAsync(new CitizenByIin { Iin = KnownIin }, TimeSpan.FromMinutes(1));
        var unknown = await client.SendRequestAsync(new CitizenByIin { Iin = UnknownIin }, TimeSpan.FromMinutes(1));

        var card = await answers.WaitForAsync(known);
        Assert.True(card.IsAnswered);
        Assert.Equal(provider, card.Provider);
        Assert.Equal("Seitkaliyev", card.Response!.LastName);

        // The requester keeps no state for an asynchronous request, so the SDK does not compare the answer's hash with
        // the request's; the message log records both. Compared here as an auditor would: the answer proves its request.
        Assert.Equal(sent.HashOf(known), card.RequestHash);

        var rejection = await answers.WaitForAsync(unknown);
        Assert.False(rejection.IsAnswered);
        Assert.Equal(sent.HashOf(unknown), rejection.RequestHash);
        var noData = Assert.IsType<NoDataException>(rejection.Rejection);
        Assert.Equal(NoDataMessage, noData.Message);

        await host.StopAsync();
    }

    public static TheoryData<string, string, string> BadRequests => new()
    {
        // case, the status the Node provider answers with, words its message must contain
        { "body-not-json", "invalid-request", "not well-formed JSON" },
        { "no-iin", "invalid-request", "required field 'iin' is missing" },
        { "short-iin", "invalid-request", "'iin' must be a string of 12 digits" },
        { "no-deadline", "invalid-request", "'qazbus-deadline' is missing" },
        { "deadline-passed", "expired", "deadline" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_from_a_plain_client_is_answered_by_the_Node_provider_with_its_rejection_and_hash(string @case, string status, string words)
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();
        Output.WriteLine($"Using {vhost.Description}");
        var unique = TestHosts.Unique();
        var provider = $"mju.node-provider-{unique}";
        using var node = await StartProviderAsync(vhost.Uri, provider);

        // What any AMQP client does for a synchronous query: consume direct reply-to on the publishing channel.
        await using var connection = await new ConnectionFactory { Uri = new Uri(vhost.Uri), ClientProvidedName = "qazbus-tests-plain-client" }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var answered = new TaskCompletionSource<(IReadOnlyBasicProperties Properties, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var replies = new AsyncEventingBasicConsumer(channel);
        replies.ReceivedAsync += (_, delivery) =>
        {
            answered.TrySetResult((delivery.BasicProperties, delivery.Body.ToArray())); // the client reuses the body's buffer
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync("amq.rabbitmq.reply-to", autoAck: true, replies);

        var id = Guid.NewGuid().ToString();
        var source = $"kgd.plain-client-{unique}";
        const string dataSchema = "urn:qazbus:contract:mju.population.citizen-by-iin:v1";
        var time = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(@case == "deadline-passed" ? -60 : 30).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes(@case switch
        {
            "body-not-json" => "iin=900101300123",
            "no-iin" => """{"inn":"900101300123"}""",
            "short-iin" => """{"iin":"90010130"}""",
            _ => """{"iin":"900101300123"}""",
        });
        var headers = new Dictionary<string, object?>
        {
            ["cloudEvents:specversion"] = "1.0",
            ["cloudEvents:id"] = id,
            ["cloudEvents:source"] = source,
            ["cloudEvents:type"] = "mju.population.citizen-by-iin",
            ["cloudEvents:time"] = time,
            ["cloudEvents:dataschema"] = dataSchema,
            ["qazbus-deadline"] = deadline,
        };
        if (@case == "no-deadline")
        {
            headers.Remove("qazbus-deadline");
        }

        var properties = new BasicProperties { ContentType = "application/json", Persistent = true, MessageId = id, ReplyTo = "amq.rabbitmq.reply-to", Headers = headers };
        await channel.BasicPublishAsync("mju.population.citizen-by-iin.v1", string.Empty, mandatory: true, properties, body);

        var (answer, answerBody) = await answered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var answerHeaders = answer.Headers!;
        string? Text(string name) => answerHeaders.TryGetValue(name, out var v) && v is byte[] b ? Encoding.UTF8.GetString(b) : null;
        var bodyText = Encoding.UTF8.GetString(answerBody);
        Output.WriteLine($"{@case}: {Text("qazbus-query-status")}: {bodyText}");

        Assert.Equal(status, Text("qazbus-query-status"));
        Assert.Equal(id, answer.CorrelationId);
        Assert.Equal(QueryAnswers.AnswerId(id), answer.MessageId); // the answer id derived as the SDK derives it
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal(provider, Text("cloudEvents:source"));
        Assert.Equal("1.0", Text("cloudEvents:specversion"));
        Assert.Equal(answer.MessageId, Text("cloudEvents:id"));
        Assert.Equal("qazbus.queries.rejected", Text("cloudEvents:type"));
        Assert.Equal("urn:qazbus:contract:qazbus.queries.rejected:v1", Text("cloudEvents:dataschema"));
        Assert.Equal(dataSchema, Text("qazbus-query"));

        // The SDK's own recipe over the request as sent (an absent deadline counts as empty) gives Node's hash.
        Assert.Equal(RequestHash.Compute(id, source, dataSchema, time, @case == "no-deadline" ? string.Empty : deadline, body), Text("qazbus-request-hash"));

        using var json = JsonDocument.Parse(bodyText);
        Assert.Equal(status, json.RootElement.GetProperty("code").GetString());
        Assert.Contains(words, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("mju.population.citizen-by-iin", json.RootElement.GetProperty("query").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task The_READMEs_request_hash_test_vector_is_what_the_SDK_and_wire_js_compute()
    {
        const string id = "01935f6e-7a4b-7c3d-9e2f-1a2b3c4d5e6f", source = "kgd.tax-office", dataSchema = "urn:qazbus:contract:mju.population.citizen-by-iin:v1";
        const string time = "2026-12-03T10:00:00Z", deadline = "2026-12-03T10:00:30Z", body = """{"iin":"900101300123"}""";
        const string vector = "UTCS7qYlp4oCteyPkzRDMmMwXMCMJxo0taz+dL684Onm3TIroOCAFbfFzvxNm+TYuHrebTudn3vTS0GhF4yKug==";

        // Java and Python teams check their code against the README's vector: it must be the SDK's hash, and wire.js's.
        Assert.Equal(vector, RequestHash.Compute(id, source, dataSchema, time, deadline, Encoding.UTF8.GetBytes(body)));
        Assert.Contains(vector, await File.ReadAllTextAsync(Path.Combine(NodeSample.Folder(), "README.md")), StringComparison.Ordinal);
        var (exitCode, stdout, _) = await NodeSample.RunAsync(Output, "-e", ScriptLimit,
            $"process.stdout.write(require('./wire').requestHash({{ id: '{id}', source: '{source}', dataschema: '{dataSchema}', time: '{time}', deadline: '{deadline}' }}, Buffer.from('{body}')))");
        Assert.Equal(0, exitCode);
        Assert.Equal(vector, stdout);
    }

    private Task<NodeSample.RunningScript> StartProviderAsync(string uri, string system) =>
        NodeSample.StartAsync(Output, "provider.js", "provider.js", "--uri", uri, "--system", system, "--queue", $"{system}.citizen-queries");

    /// <summary>Runs requester.js once; it must answer (exit 0) with one JSON line.</summary>
    private async Task<JsonElement> AskAsync(string uri, string requester, string iin)
    {
        var (exitCode, stdout, stderr) = await NodeSample.RunAsync(Output, "requester.js", ScriptLimit,
            "--uri", uri, "--system", requester, "--iin", iin, "--timeout-ms", "10000");
        Assert.True(exitCode == 0, $"requester.js exited with {exitCode}: {stderr}");
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Single();
        using var json = JsonDocument.Parse(line);
        return json.RootElement.Clone();
    }

    /// <summary>Approves the listed requesters of citizen-by-iin v1, as the registry would.</summary>
    private sealed class ApprovedRequesters(params string[] systems) : IQueryAccessPolicy
    {
        public bool MayAsk(string requester, string query, int version) =>
            query == "mju.population.citizen-by-iin" && version == 1 && systems.Contains(requester, StringComparer.Ordinal);
    }

    /// <summary>The query contexts the .NET provider's handler saw, by request id.</summary>
    private sealed class SeenRequests
    {
        private readonly ConcurrentDictionary<string, QueryContext> _seen = new(StringComparer.Ordinal);

        public int Count => _seen.Count;

        public void Add(QueryContext context) => _seen[context.RequestId] = context;

        public QueryContext Of(string requestId) =>
            _seen.TryGetValue(requestId, out var context) ? context : throw new InvalidOperationException($"The handler never saw request {requestId}.");
    }

    private sealed class CitizenCards(SeenRequests seen) : IQueryHandler<CitizenByIin, CitizenCard>
    {
        public const string NoDataText = "No citizen with this IIN in the test registry.";
        public static readonly DateTimeOffset UpdatedAt = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);

        public Task<CitizenCard> HandleAsync(CitizenByIin request, QueryContext context, CancellationToken cancellationToken)
        {
            seen.Add(context);
            return request.Iin == KnownIin
                ? Task.FromResult(new CitizenCard
                {
                    Iin = KnownIin,
                    LastName = "Seitkaliyev",
                    FirstName = "Nurlan",
                    BirthDate = new DateOnly(1990, 1, 1),
                    Address = new Address { Region = "Astana", Locality = "Astana", Street = "Mangilik El 8, 12", PostalCode = "010000" },
                    UpdatedAt = UpdatedAt,
                })
                : throw new NoDataException(NoDataText);
        }
    }

    /// <summary>The asynchronous answers the requester's response handler received, by request id.</summary>
    private sealed class Answers
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource<QueryAnswer<CitizenCard>>> _answers = new(StringComparer.Ordinal);

        public void Add(QueryAnswer<CitizenCard> answer) => Slot(answer.RequestId).TrySetResult(answer);

        public async Task<QueryAnswer<CitizenCard>> WaitForAsync(string requestId)
        {
            try
            {
                return await Slot(requestId).Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"No answer to request {requestId} reached the response handler within 10 s.", ex);
            }
        }

        private TaskCompletionSource<QueryAnswer<CitizenCard>> Slot(string requestId) =>
            _answers.GetOrAdd(requestId, _ => new TaskCompletionSource<QueryAnswer<CitizenCard>>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>The request hash of each query request this system published, from the message-log hook.</summary>
    private sealed class SentRequests : IMessageObserver
    {
        private readonly ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);

        public string HashOf(string requestId) =>
            _hashes.TryGetValue(requestId, out var hash) ? hash : throw new InvalidOperationException($"Request {requestId} was not recorded as published.");

        public ValueTask OnPublishedAsync(MessageRecord record, CancellationToken cancellationToken)
        {
            if (record is { Contract: "mju.population.citizen-by-iin", MessageId: { } id, RequestHash: { } hash })
            {
                _hashes[id] = hash;
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask OnConsumedAsync(MessageRecord record, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class AnswerRecorder(Answers answers) : IQueryResponseHandler<CitizenByIin, CitizenCard>
    {
        public Task HandleAsync(QueryAnswer<CitizenCard> answer, MessageContext context, CancellationToken cancellationToken)
        {
            answers.Add(answer);
            return Task.CompletedTask;
        }
    }
}
