using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Publishing;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Cluster;

/// <summary>
/// What a three-node cluster promises and where the promise ends: a rolling restart of every node under a steady
/// flow goes unnoticed by the agencies (publishes wait, none fails, nothing is lost or doubled); with two of three
/// nodes down the quorum queue has no majority, so a publish fails with a clear error instead of returning
/// unconfirmed, and publishing works again once a second node is back.
/// </summary>
public sealed class MajorityTests(ClusterFixture fixture, ITestOutputHelper output) : ClusterTest(fixture, output)
{
    [Fact]
    public async Task A_rolling_restart_of_all_three_nodes_under_500_messages_a_second_loses_nothing_and_fails_no_publish()
    {
        const int PerSecond = 500;
        var consumer = await StartConsumerAsync();
        var (queue, effects) = (consumer.Queue, consumer.Effects);
        var sender = await StartSenderAsync($"mju.cluster-{Unique}");
        var recorder = new PublishRecorder(sender.Services.GetRequiredService<IContractPublisher>());

        // A steady flow: 10 publishes every 20 ms, not waiting for each other, as many agency requests would.
        using var stop = new CancellationTokenSource();
        var inFlight = new List<Task>();
        var flow = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            while (!stop.IsCancellationRequested && await timer.WaitForNextTickAsync(CancellationToken.None))
            {
                lock (inFlight)
                {
                    inFlight.AddRange(Enumerable.Range(0, PerSecond / 50).Select(_ => recorder.PublishAsync()));
                }
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(3));
        for (var node = 1; node <= 3; node++)
        {
            var step = Stopwatch.StartNew();
            await Cluster.StopNodeAsync(node, Log);
            var stopped = step.Elapsed;
            await Cluster.StartNodeAsync(node, Log);
            await Cluster.EnsureWholeAsync(Log);
            Log($"node {node} restarted: stopped in {stopped.TotalSeconds:F1} s, three nodes running again {step.Elapsed.TotalSeconds:F1} s after the stop began; {recorder.Report()}, effects {await effects.CountAsync()}");
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await flow;
        Task[] pending;
        lock (inFlight)
        {
            pending = [.. inFlight];
        }

        await Task.WhenAll(pending);
        Log($"flow done: {recorder.Report()}; time to recover, the longest a publish waited: {recorder.Longest.TotalSeconds:F1} s");
        foreach (var failure in recorder.Failed.Take(3))
        {
            Log($"  publish threw: {failure.GetType().Name}: {failure.Message}");
        }

        Assert.Empty(recorder.Failed);
        await AssertExactlyOnceAsync(effects, [.. recorder.Confirmed], queue);
    }

    [Fact]
    public async Task With_two_of_three_nodes_down_a_publish_fails_clearly_and_publishing_recovers_when_a_node_returns()
    {
        var consumer = await StartConsumerAsync();
        var (queue, effects) = (consumer.Queue, consumer.Effects);

        // Keep the node that leads the queue out of it, so the survivor is a follower: no leader can be elected.
        // The sender is on the survivor: its publishes reach a node that cannot store them without a majority.
        var leader = await Cluster.LeaderOfAsync(VirtualHost, queue) ?? 1;
        var down = Enumerable.Range(1, 3).Where(n => n != leader).Take(1).Append(leader).ToArray();
        var survivor = Enumerable.Range(1, 3).Except(down).Single();
        var sender = await StartSenderOnAsync($"mju.cluster-{Unique}", survivor, new Dictionary<string, string?> { ["QazBus:RabbitMq:PublishRetryTimeout"] = "00:00:05" });
        var recorder = new PublishRecorder(sender.Services.GetRequiredService<IContractPublisher>());
        await recorder.LoopsAsync(4, 200);
        Assert.Empty(recorder.Failed);

        foreach (var node in down)
        {
            await Cluster.KillNodeAsync(node, Log);
        }

        Log($"killed nodes {string.Join(" and ", down)} (the leader was on node {leader})");

        var failedBefore = recorder.Failed.Count;
        var attempt = Stopwatch.StartNew();

        // Bounded here so that a publish that hangs (no confirm, no error: the caller would wait for ever) fails the test.
        await recorder.PublishAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Log($"a publish with two of three nodes down: {(recorder.Failed.Count > failedBefore ? $"threw after {attempt.Elapsed.TotalSeconds:F1} s: {recorder.Failed.First().GetType().Name}: {recorder.Failed.First().Message}" : "returned")}");
        Assert.True(recorder.Failed.Count == failedBefore + 1, "a publish returned while the queue had no majority: the caller would believe an unconfirmed message was stored");

        var back = Stopwatch.StartNew();
        await Cluster.StartNodeAsync(down[0], Log);
        var confirmedBefore = recorder.Confirmed.Count;
        var lastLog = TimeSpan.Zero;
        while (recorder.Confirmed.Count == confirmedBefore && back.Elapsed < TimeSpan.FromSeconds(120))
        {
            await recorder.PublishAsync();
            await Task.Delay(200);
            if (back.Elapsed - lastLog > TimeSpan.FromSeconds(5))
            {
                lastLog = back.Elapsed;
                string leaderNow;
                try
                {
                    leaderNow = $"{await Cluster.LeaderOfAsync(VirtualHost, queue)}";
                }
                catch (InvalidOperationException ex)
                {
                    leaderNow = ex.Message;
                }

                Log($"  waiting: leader {leaderNow}; {recorder.Report()}; last failure: {recorder.Failed.LastOrDefault()?.Message}");
            }
        }

        Log($"time to recover: the first publish confirmed {back.Elapsed.TotalSeconds:F1} s after node {down[0]} was started again ({recorder.Failed.Count - failedBefore} publishes threw meanwhile)");
        Assert.True(recorder.Confirmed.Count > confirmedBefore, "no publish was confirmed within 120 s of a second node's return");

        // The caller follows the error's advice and sends again what threw, with the same ids: a message that was
        // stored although its publish timed out comes twice, and the inbox must drop the second.
        var unconfirmed = recorder.Unconfirmed.Count;
        var resent = await recorder.ResendUnconfirmedAsync();
        Log($"sent again the {unconfirmed} messages whose publish threw: {resent} confirmed");
        Assert.Empty(recorder.Unconfirmed);

        await recorder.LoopsAsync(4, recorder.Issued + 200);
        await AssertExactlyOnceAsync(effects, [.. recorder.Confirmed], queue);
    }
}
