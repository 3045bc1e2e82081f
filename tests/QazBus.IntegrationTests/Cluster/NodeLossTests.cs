using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QazBus.Publishing;
using QazBus.Storage.Outbox;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Cluster;

/// <summary>
/// A node of the three-node cluster dies (SIGKILL) under load: the publisher's own node while the outbox relay
/// sends 10,000 messages, and the node leading the consumer's quorum queue while the consumer handles the stream.
/// The clients reconnect to another node, re-declare their consumers, send again what was not confirmed, and the
/// inbox drops the doubles: every message has exactly one effect.
/// </summary>
public sealed class NodeLossTests(ClusterFixture fixture, ITestOutputHelper output) : ClusterTest(fixture, output)
{
    [Fact]
    public async Task Killing_the_publishers_node_mid_stream_of_10000_outbox_messages_loses_nothing_and_doubles_nothing()
    {
        const int Count = 10_000;
        const int PerTransaction = 100;
        var senderSystem = $"mju.cluster-{Unique}";
        var outboxSchema = $"outbox_{Unique}";
        var sender = await StartSenderAsync(senderSystem, bus => bus.AddStorage(o => o.Schema = outboxSchema), StorageSettings());
        var node = await NodeOfAsync(senderSystem);
        var consumer = await StartConsumerOnAsync(_ => Task.FromResult(node));
        var effects = consumer.Effects;
        var outbox = sender.Services.GetRequiredService<IOutbox>();

        var ids = new List<string>();
        var enqueuing = Task.Run(async () =>
        {
            for (var i = 0; i < Count; i += PerTransaction)
            {
                await using var connection = new NpgsqlConnection(PostgresConnectionString);
                await connection.OpenAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                var batch = new List<string>();
                for (var k = i; k < i + PerTransaction; k++)
                {
                    batch.Add(await outbox.EnqueueAsync(transaction, Faults.Messages.Address(k)));
                }

                await transaction.CommitAsync();
                lock (ids)
                {
                    ids.AddRange(batch);
                }
            }
        });

        async Task<long> Sent() => await ScalarAsync($"select count(*) from {outboxSchema}.qazbus_outbox where sent_at is not null");
        await Progress.UntilAsync("2,000 relayed", async () => await Sent() >= 2_000, async () => $"relayed {await Sent()}", null, Log);

        Assert.Equal(node, await NodeOfAsync(senderSystem));
        var held = await HoldOneAsync(consumer);
        var sentAtKill = await Sent();
        var killed = Stopwatch.StartNew();
        await Cluster.KillNodeAsync(node, Log);
        Log($"killed node {node}, the outbox relay's and the consumer's node, after {sentAtKill} of {Count} relayed");
        await ReleaseAfterReconnectAsync(consumer, node);

        var moved = await ReconnectedAsync(senderSystem, node);
        Log($"the sender reconnected to node {moved.Node} by {killed.Elapsed.TotalSeconds:F1} s after the kill");
        await Progress.UntilAsync("the relay to go on", async () => await Sent() >= sentAtKill + 500, async () => $"relayed {await Sent()}", null, Log);
        Log($"time to recover: the relay sent 500 more {killed.Elapsed.TotalSeconds:F1} s after the kill");

        await enqueuing;
        await AssertRedeliveredAsync(consumer, held);
        Assert.True(sentAtKill < Count, "the relay had sent everything before the kill; the test proves nothing");
        await AssertExactlyOnceAsync(effects, ids, consumer.Queue);
    }

    [Fact]
    public async Task Killing_the_node_of_the_queue_leader_while_consuming_loses_nothing_and_doubles_nothing()
    {
        const int Count = 6_000;
        // The consumer must be on the leader's node, so that the kill takes a handled, unacknowledged message with it.
        var consumer = await StartConsumerOnAsync(async c => await Cluster.LeaderOfAsync(VirtualHost, c.Queue) ?? throw new InvalidOperationException($"{c.Queue} has no leader"));
        var (queue, effects) = (consumer.Queue, consumer.Effects);
        var sender = await StartSenderOnAsync($"mju.cluster-{Unique}", await NodeOfAsync(consumer.ConsumeConnection));
        var recorder = new PublishRecorder(sender.Services.GetRequiredService<IContractPublisher>());
        var publishing = recorder.LoopsAsync(16, Count);

        await Progress.UntilAsync("1,000 effects", async () => await effects.CountAsync() >= 1_000, async () => $"{recorder.Report()}, effects {await effects.CountAsync()}", null, Log);
        var leader = await Cluster.LeaderOfAsync(VirtualHost, queue) ?? throw new InvalidOperationException($"{queue} has no leader");
        Log($"{queue}: members {await Cluster.MembersOfAsync(VirtualHost, queue)}, leader on node {leader}");
        Assert.Equal(leader, await NodeOfAsync(consumer.ConsumeConnection));
        var held = await HoldOneAsync(consumer);
        var effectsAtKill = await effects.CountAsync();
        var killed = Stopwatch.StartNew();
        await Cluster.KillNodeAsync(leader, Log);
        Log($"killed node {leader}, the queue leader's, the consumer's and the sender's, after {effectsAtKill} effects");
        await ReleaseAfterReconnectAsync(consumer, leader);

        await Progress.UntilAsync("effects to go on", async () => await effects.CountAsync() >= effectsAtKill + 200, async () => $"{recorder.Report()}, effects {await effects.CountAsync()}", null, Log);
        Log($"time to recover: 200 more effects {killed.Elapsed.TotalSeconds:F1} s after the kill; new leader on node {await Cluster.LeaderOfAsync(VirtualHost, queue)}");

        await publishing;
        await AssertRedeliveredAsync(consumer, held);
        Log($"publishing done: {recorder.Report()}; the longest publish took {recorder.Longest.TotalSeconds:F1} s");
        foreach (var failure in recorder.Failed.Take(3))
        {
            Log($"  publish threw: {failure.GetType().Name}: {failure.Message}");
        }

        // One node of three is not a failure an agency may notice: no publish throws, they wait for the new leader.
        Assert.Empty(recorder.Failed);
        Assert.Equal(Count, recorder.Confirmed.Count);
        Assert.True(effectsAtKill < Count, "the consumer had handled everything before the kill; the test proves nothing");
        await AssertExactlyOnceAsync(effects, [.. recorder.Confirmed], queue);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
