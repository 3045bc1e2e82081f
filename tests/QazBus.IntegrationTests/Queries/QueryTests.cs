using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QazBus.Contracts.Population;
using QazBus.Queries;
using QazBus.TestSupport;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Queries;

/// <summary>
/// Queries between two systems over the real broker: the tax office asks, the population registry answers. Every
/// answer (data, each rejection, a timeout, an expired or bad request) reaches the requester typed, never silence.
/// </summary>
public sealed class QueryTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output), IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private readonly string _provider = $"mju.population-registry-{TestHosts.Unique()}";
    private readonly string _requester = $"kgd.tax-office-{TestHosts.Unique()}";
    private readonly CitizenFile _file = new();
    private readonly LogLines _providerLog = new();
    private readonly LogLines _requesterLog = new();
    private readonly List<IHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private async Task<IHost> StartProviderAsync(IQueryAccessPolicy? policy = null, string? postgres = null)
    {
        var settings = new Dictionary<string, string?> { ["QazBus:Retry:ImmediateRetries"] = "1", ["QazBus:Retry:Delays"] = "none" };
        var host = TestHosts.Build(_provider, Uri,
            bus =>
            {
                bus.AddQueryHandler<CitizenByIin, CitizenCard, CitizenFileHandler>("citizen-queries");
                if (postgres is not null)
                {
                    bus.AddStorage(o => o.Schema = "provider_" + _provider[^8..]);
                }
            },
            settings: WithStorage(settings, postgres),
            services: s => s.AddSingleton(_file).AddSingleton(policy ?? new ApprovedRequesters(_requester)).AddSingleton<ILoggerProvider>(_providerLog));
        _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    private async Task<IHost> StartRequesterAsync(AnswerSink? answers = null, string? postgres = null)
    {
        var host = TestHosts.Build(_requester, Uri,
            bus =>
            {
                if (answers is not null)
                {
                    bus.AddQueryResponseHandler<CitizenByIin, CitizenCard, CitizenAnswerHandler>();
                }

                if (postgres is not null)
                {
                    bus.AddStorage(o => o.Schema = "requester_" + _requester[^8..]);
                }
            },
            settings: WithStorage([], postgres),
            services: s =>
            {
                s.AddSingleton<ILoggerProvider>(_requesterLog);
                if (answers is not null)
                {
                    s.AddSingleton(answers);
                }
            });
        _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    [Fact]
    public async Task A_question_is_answered_over_the_broker()
    {
        await StartProviderAsync();
        var client = (await StartRequesterAsync()).Services.GetRequiredService<IQueryClient>();

        var card = await client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Wait, new RequestOptions { CorrelationId = "application-42" });

        Assert.Equal(CitizenFile.Card(CitizenFile.Known), card);
        var (request, context) = Assert.Single(_file.Handled);
        Assert.Equal(CitizenFile.Known, request.Iin);
        Assert.Equal(_requester, context.Requester);
        Assert.Equal("mju.population.citizen-by-iin", context.Query);
        Assert.Equal(1, context.Version);
        Assert.Equal("application-42", context.CorrelationId);
        Assert.InRange(context.Deadline, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow + Wait);
        Assert.Equal(88, context.RequestHash.Length); // base64 of 64 bytes
    }

    public static TheoryData<string, Type, string> Rejections => new()
    {
        { CitizenFile.Unknown, typeof(NoDataException), "No citizen with this IIN" },
        { CitizenFile.Refused, typeof(AccessDeniedException), "may not see this citizen's card" },
        { CitizenFile.Invalid, typeof(InvalidRequestException), "check digit is wrong" },
        { CitizenFile.Broken, typeof(QueryFailureException), "failed to answer (reason handler-failed)" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Each_rejection_reaches_the_requester_typed_with_the_providers_message(string iin, Type rejection, string message)
    {
        await StartProviderAsync();
        var client = (await StartRequesterAsync()).Services.GetRequiredService<IQueryClient>();

        var thrown = await Assert.ThrowsAsync(rejection, () => client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = iin }, Wait));

        var rejected = Assert.IsAssignableFrom<QueryRejectedException>(thrown);
        Output.WriteLine($"{rejected.Code}: {rejected.Message}");
        Assert.Contains(message, rejected.Message, StringComparison.Ordinal);
        Assert.Equal(_provider, rejected.Provider);
        Assert.NotNull(rejected.RequestId);
    }

    [Fact]
    public async Task A_requester_the_registry_does_not_approve_is_refused_by_the_provider()
    {
        await StartProviderAsync(new ApprovedRequesters("kgd.someone-else"));
        var client = (await StartRequesterAsync()).Services.GetRequiredService<IQueryClient>();

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Wait));

        Assert.Contains($"'{_requester}' is not an approved requester of query 'mju.population.citizen-by-iin' v1", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_file.Handled); // the handler never saw it
    }

    [Fact]
    public async Task A_timeout_reaches_the_requester_and_the_late_answer_is_dropped_with_a_log_line()
    {
        _file.SlowFor = TimeSpan.FromSeconds(1.5);
        await StartProviderAsync();
        var client = (await StartRequesterAsync()).Services.GetRequiredService<IQueryClient>();

        var timeout = await Assert.ThrowsAsync<QueryTimeoutException>(() => client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Slow }, TimeSpan.FromMilliseconds(500)));
        Assert.Equal("mju.population.citizen-by-iin v1", timeout.Query);

        var line = await _requesterLog.WaitForAsync($"Late query answer dropped: request {timeout.RequestId}", Wait);
        Output.WriteLine(line);

        // The requester still works: the next question is answered.
        Assert.Equal(CitizenFile.Known, (await client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Wait)).Iin);
    }

    [Fact]
    public async Task An_expired_request_is_not_handled_and_is_answered_expired()
    {
        await StartProviderAsync();
        var id = $"expired-{TestHosts.Unique()}";
        var answer = await AskRawAsync(id, Encoding.UTF8.GetBytes($$"""{"iin":"{{CitizenFile.Known}}"}"""), deadline: DateTimeOffset.UtcNow.AddSeconds(-1));

        Assert.Equal("expired", Header(answer, "qazbus-query-status"));
        Assert.Contains("\"code\":\"expired\"", Encoding.UTF8.GetString(answer.Body.Span), StringComparison.Ordinal);
        Assert.Empty(_file.Handled);
        Output.WriteLine(await _providerLog.WaitForAsync($"Query request {id}", Wait));
    }

    public static TheoryData<string, string, string> BadRequests => new()
    {
        // case, what the rejection names (reason code), and a word of its message
        { "schema-violation", "schema-violation", "'iin': must match the pattern" },
        { "not-json", "malformed-json", "not well-formed JSON" },
        { "unknown-version", "unknown-version", "not v9" },
        { "unknown-query", "unknown-contract", "mju.population.citizen-by-name" },
        { "no-deadline", "missing-header", "qazbus-deadline" },
        { "bad-deadline", "invalid-header", "qazbus-deadline" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_is_answered_invalid_request_naming_the_fault_and_kept_in_the_error_queue(string @case, string reason, string named)
    {
        await StartProviderAsync();
        var id = $"bad-{@case}-{TestHosts.Unique()}";
        var good = Encoding.UTF8.GetBytes($$"""{"iin":"{{CitizenFile.Known}}"}""");
        var answer = await AskRawAsync(id, @case switch
        {
            "schema-violation" => Encoding.UTF8.GetBytes("""{"iin":"12345"}"""),
            "not-json" => Encoding.UTF8.GetBytes("iin=12345"),
            _ => good,
        }, deadline: DateTimeOffset.UtcNow.AddSeconds(30), edit: headers =>
        {
            switch (@case)
            {
                case "unknown-version":
                    headers["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.citizen-by-iin:v9";
                    break;
                case "unknown-query":
                    headers["cloudEvents:type"] = "mju.population.citizen-by-name";
                    headers["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.citizen-by-name:v1";
                    break;
                case "no-deadline":
                    headers.Remove("qazbus-deadline");
                    break;
                case "bad-deadline":
                    headers["qazbus-deadline"] = "tomorrow";
                    break;
            }
        });

        Assert.Equal("invalid-request", Header(answer, "qazbus-query-status"));
        var body = Encoding.UTF8.GetString(answer.Body.Span);
        Output.WriteLine($"{@case}: {body}");
        Assert.Contains(reason, body, StringComparison.Ordinal);
        Assert.Contains(named, System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("12345", body, StringComparison.Ordinal); // the rejection never echoes the value
        Assert.Equal(88, Header(answer, "qazbus-request-hash")!.Length); // still tied to its question

        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var dead = await GetAsync(channel, $"{_provider}.citizen-queries_error");
        Assert.Equal(id, dead.BasicProperties.MessageId);
    }

    [Fact]
    public async Task The_asynchronous_form_survives_a_restart_of_the_provider_and_of_the_requester()
    {
        // Both sides exist once (their queues are declared), then both are down when the answer travels.
        var provider = await StartProviderAsync();
        await provider.StopAsync();
        var answers = new AnswerSink();
        var requester = await StartRequesterAsync(answers);
        var client = requester.Services.GetRequiredService<IQueryClient>();

        var known = await client.SendRequestAsync(new CitizenByIin { Iin = CitizenFile.Known }, TimeSpan.FromHours(1));
        var unknown = await client.SendRequestAsync(new CitizenByIin { Iin = CitizenFile.Unknown }, TimeSpan.FromHours(1));
        await requester.StopAsync();

        // The provider comes back and answers into the requester's durable reply queue while the requester is away.
        var restarted = await StartProviderAsync();
        await WaitUntilAsync(() => _file.Handled.Count == 2);
        await restarted.StopAsync();

        var again = new AnswerSink();
        await StartRequesterAsync(again);
        var card = await again.WaitForAsync(known, Wait);
        Assert.True(card.IsAnswered);
        Assert.Equal(CitizenFile.Known, card.Response!.Iin);
        Assert.Equal(_provider, card.Provider);
        Assert.Equal(88, card.RequestHash.Length);
        var none = await again.WaitForAsync(unknown, Wait);
        Assert.False(none.IsAnswered);
        Assert.IsType<NoDataException>(none.Rejection);
    }

    [Fact]
    public async Task An_asynchronous_answer_naming_another_question_is_dead_lettered_and_the_real_answer_handled()
    {
        var provider = await StartProviderAsync();
        await provider.StopAsync();
        var answers = new AnswerSink();
        var client = (await StartRequesterAsync(answers)).Services.GetRequiredService<IQueryClient>();
        var requestId = await client.SendRequestAsync(new CitizenByIin { Iin = CitizenFile.Known }, TimeSpan.FromHours(1));

        // An answer to that request id, from the right agency, but with another request's hash.
        await using (var connection = await Broker.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
        {
            var headers = new Dictionary<string, object?>
            {
                ["cloudEvents:specversion"] = "1.0",
                ["cloudEvents:id"] = $"forged-{TestHosts.Unique()}",
                ["cloudEvents:source"] = _provider,
                ["cloudEvents:type"] = "mju.population.citizen-card",
                ["cloudEvents:time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                ["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.citizen-card:v1",
                ["qazbus-query"] = "urn:qazbus:contract:mju.population.citizen-by-iin:v1",
                ["qazbus-query-status"] = "ok",
                ["qazbus-request-hash"] = Convert.ToBase64String(new byte[64]),
            };
            var card = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(CitizenFile.Card(CitizenFile.Known), QazBus.Wire.BusJson.Options);
            await channel.BasicPublishAsync($"{_requester}.replies", string.Empty, true,
                new BasicProperties { ContentType = "application/json", CorrelationId = requestId, Headers = headers }, card);
            var dead = await GetAsync(channel, $"{_requester}.replies_error");
            Assert.Equal("invalid-header", Header(dead, "qazbus-error-reason"));
            Assert.Contains("names another question", Header(dead, "qazbus-error-message"), StringComparison.Ordinal);
        }

        // The provider comes back and its real answer is handled.
        await StartProviderAsync();
        var answer = await answers.WaitForAsync(requestId, Wait);
        Assert.True(answer.IsAnswered);
        Assert.Equal(_file.Handled.Single().Context.RequestHash, answer.RequestHash);
    }

    [Fact]
    public async Task One_trace_runs_from_the_requester_through_the_provider_and_back()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "QazBus",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await StartProviderAsync();
        var client = (await StartRequesterAsync()).Services.GetRequiredService<IQueryClient>();

        await client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Wait);
        await WaitUntilAsync(() => spans.Any(s => s.DisplayName.EndsWith(" answer", StringComparison.Ordinal) && s.Kind == ActivityKind.Consumer));

        var request = Assert.Single(spans, s => s.DisplayName == "mju.population.citizen-by-iin.v1 request");
        Assert.Equal(ActivityKind.Client, request.Kind);
        var trace = spans.Where(s => s.TraceId == request.TraceId).ToList();
        foreach (var span in trace)
        {
            Output.WriteLine($"{span.Kind} {span.DisplayName} parent {span.ParentSpanId}");
        }

        var process = Assert.Single(trace, s => s.DisplayName == $"{_provider}.citizen-queries process");
        Assert.Equal(request.SpanId, process.ParentSpanId);
        var answer = Assert.Single(trace, s => s.DisplayName == "mju.population.citizen-card.v1 answer");
        Assert.Equal(process.SpanId, answer.ParentSpanId);
        var received = Assert.Single(trace, s => s.DisplayName == "mju.population.citizen-by-iin.v1 answer");
        Assert.Equal(answer.SpanId, received.ParentSpanId);
    }

    private static Dictionary<string, string?> WithStorage(Dictionary<string, string?> settings, string? postgres)
    {
        if (postgres is not null)
        {
            settings["QazBus:Storage:Provider"] = "Postgres";
            settings["QazBus:Storage:ConnectionString"] = postgres;
        }

        return settings;
    }

    [Fact]
    public async Task Both_message_logs_hold_the_request_and_its_answer_linked_by_id_and_request_hash()
    {
        await using var postgres = new PostgresFixture();
        await postgres.InitializeAsync();
        await StartProviderAsync(postgres: postgres.ConnectionString);
        var client = (await StartRequesterAsync(postgres: postgres.ConnectionString)).Services.GetRequiredService<IQueryClient>();
        var requestId = $"evidence-{TestHosts.Unique()}";

        await client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Wait, new RequestOptions { RequestId = requestId });
        var hash = Assert.Single(_file.Handled).Context.RequestHash;

        foreach (var (schema, system, asked, answered) in new[]
        {
            ("requester_" + _requester[^8..], _requester, "Published", "Handled"),
            ("provider_" + _provider[^8..], _provider, "Handled", "Published"),
        })
        {
            await using var log = new QazBus.Storage.MessageLog.MessageLogReader(new QazBus.Storage.Configuration.StorageOptions
            {
                Provider = QazBus.Storage.Configuration.StorageProvider.Postgres,
                ConnectionString = postgres.ConnectionString,
                Schema = schema,
            });
            IReadOnlyList<QazBus.Storage.MessageLog.MessageLogEntry> answers = [];
            await WaitUntilAsync(() =>
            {
                answers = log.FindAsync(new QazBus.Storage.MessageLog.MessageLogQuery { CorrelationId = requestId }).GetAwaiter().GetResult();
                return answers.Count > 0;
            });
            var request = Assert.Single(await log.FindAsync(new QazBus.Storage.MessageLog.MessageLogQuery { MessageId = requestId }));
            Assert.Equal(asked, request.Outcome);
            Assert.Equal("mju.population.citizen-by-iin", request.Contract);
            Assert.Equal(hash, request.RequestHash);
            var answer = Assert.Single(answers);
            Assert.Equal(answered, answer.Outcome);
            Assert.Equal("mju.population.citizen-card", answer.Contract);
            Assert.Equal(_provider, answer.Source);
            Assert.Equal(hash, answer.RequestHash);
            Assert.True((await log.VerifyAsync()).IsIntact, $"{system}'s message log chain");
        }
    }

    // A request as a plain AMQP client sends it, with direct reply-to on the test's own channel.
    private async Task<BasicDeliverEventArgs> AskRawAsync(string id, byte[] body, DateTimeOffset deadline, Action<Dictionary<string, object?>>? edit = null)
    {
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var answered = new TaskCompletionSource<BasicDeliverEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            answered.TrySetResult(new BasicDeliverEventArgs(delivery.ConsumerTag, delivery.DeliveryTag, delivery.Redelivered, delivery.Exchange, delivery.RoutingKey, delivery.BasicProperties, delivery.Body.ToArray()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync("amq.rabbitmq.reply-to", autoAck: true, consumer);
        var headers = new Dictionary<string, object?>
        {
            ["cloudEvents:specversion"] = "1.0",
            ["cloudEvents:id"] = id,
            ["cloudEvents:source"] = _requester,
            ["cloudEvents:type"] = "mju.population.citizen-by-iin",
            ["cloudEvents:time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.citizen-by-iin:v1",
            ["qazbus-deadline"] = deadline.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        };
        edit?.Invoke(headers);
        await channel.BasicPublishAsync("mju.population.citizen-by-iin.v1", string.Empty, true,
            new BasicProperties { ContentType = "application/json", MessageId = id, ReplyTo = "amq.rabbitmq.reply-to", Headers = headers }, body);
        var answer = await answered.Task.WaitAsync(Wait);
        Assert.Equal(id, answer.BasicProperties.CorrelationId);
        Assert.Equal(_provider, Header(answer, "cloudEvents:source"));
        return answer;
    }

    private static string? Header(BasicDeliverEventArgs delivery, string name) => Header(delivery.BasicProperties, name);

    private static string? Header(BasicGetResult delivery, string name) => Header(delivery.BasicProperties, name);

    private static string? Header(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers is { } headers && headers.TryGetValue(name, out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;

    private static async Task<BasicGetResult> GetAsync(IChannel channel, string queue)
    {
        var until = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < until)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
            {
                return result;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Nothing arrived in {queue} within {Wait}.");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Condition not met within {Wait}.");
            }

            await Task.Delay(50);
        }
    }
}
