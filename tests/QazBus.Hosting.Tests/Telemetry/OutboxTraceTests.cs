using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QazBus.Storage.Outbox;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Hosting.Tests.Telemetry;

/// <summary>
/// The same journey with the registry sending through its transactional outbox on PostgreSQL: the trace context
/// is stored with the row, and the relay and every consumer continue it.
/// </summary>
public sealed class OutboxTraceTests(BrokerFixture fixture, DatabaseFixture database, ITestOutputHelper output)
    : JourneyTest(fixture, output), IClassFixture<DatabaseFixture>
{
    private PostgresFixture Database => database.Postgres;

    [Fact]
    public async Task Through_the_outbox_the_trace_runs_from_the_enqueue_through_the_relay_to_every_consumer()
    {
        Output.WriteLine($"Using {Database.Description}");
        var schema = PostgresFixture.NewSchemaName("hosting");
        try
        {
            var journey = await RunJourneyAsync(
                registryBus: bus => bus.AddStorage(),
                registrySettings: new()
                {
                    ["QazBus:Storage:Provider"] = "Postgres",
                    ["QazBus:Storage:ConnectionString"] = Database.ConnectionString,
                    ["QazBus:Storage:Schema"] = schema,
                    ["QazBus:Storage:Relay:PollInterval"] = "00:00:00.200",
                },
                spanCount: 5,
                send: async registry =>
                {
                    // The business transaction: the registry's own change and the outbox row commit together.
                    await using var connection = new NpgsqlConnection(Database.ConnectionString);
                    await connection.OpenAsync();
                    await using var transaction = await connection.BeginTransactionAsync();
                    var id = await registry.Services.GetRequiredService<IOutbox>().EnqueueAsync(transaction, Sample());
                    await transaction.CommitAsync();
                    return id;
                });

            // 1. The enqueue is the message's producer span: the root, stored with the row as traceparent.
            var enqueue = journey.Span($"{FirstExchange} enqueue");
            Assert.Equal(ActivityKind.Producer, enqueue.Kind);
            Assert.Equal(default, enqueue.ParentSpanId);
            AssertMessaging(enqueue, FirstExchange, journey.FirstId, "mju.population.address-changed", journey.RegistrySystem);
            Assert.Equal("enqueue", Tag(enqueue, "messaging.operation.name"));
            Assert.Equal("create", Tag(enqueue, "messaging.operation.type"));

            // 2. The relay publishes the row later, in another flow of the process, as a child of the enqueue.
            var relay = journey.Span($"{FirstExchange} publish");
            Assert.Equal(ActivityKind.Producer, relay.Kind);
            Assert.Equal(enqueue.SpanId, relay.ParentSpanId);
            AssertMessaging(relay, FirstExchange, journey.FirstId, "mju.population.address-changed", journey.RegistrySystem);
            Assert.Equal("1", Tag(relay, "qazbus.outbox.attempt"));
            Assert.Equal("send", Tag(relay, "messaging.operation.type"));

            // 3-5. Consumers join the same trace. The message carries the enqueue span's context (the relay sends
            // the row as stored), so the tax office's process span is the enqueue span's child, beside the relay's.
            AssertDownstream(journey, enqueue, relay);
            Assert.Equal(5, journey.Spans.Count);
        }
        finally
        {
            await Database.DropSchemaAsync(schema);
        }
    }
}
