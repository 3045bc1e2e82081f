using System.Diagnostics;

namespace QazBus.Benchmarks;

/// <summary>Offers load to a scenario: as fast as a window of in-flight publishes allows, or at a fixed rate.</summary>
internal static class Driver
{
    /// <summary>Throughput: <paramref name="window"/> publishers, each awaiting its confirm before the next publish.</summary>
    public static async Task RunWindowAsync(IScenario scenario, Recorder recorder, long first, int count, int window, CancellationToken cancellationToken)
    {
        var next = first - 1;
        var end = first + count;
        var workers = new Task[Math.Max(1, Math.Min(window, count))];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(async () =>
            {
                while (true)
                {
                    var sequence = Interlocked.Increment(ref next);
                    if (sequence >= end)
                    {
                        return;
                    }

                    await scenario.PublishAsync(sequence, cancellationToken);
                    recorder.OnConfirmed();
                }
            }, cancellationToken);
        }

        await Task.WhenAll(workers);
    }

    /// <summary>
    /// Fixed offered rate: message i is due at start + i / rate; each publish starts when due without waiting for
    /// earlier confirms (an open-loop load, like citizens' requests), up to <paramref name="maxInFlight"/> in flight.
    /// </summary>
    public static async Task RunRateAsync(IScenario scenario, Recorder recorder, long first, int count, double rate, int maxInFlight, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var inFlight = 0;
        Exception? failure = null;
        var allIssued = false;
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var slots = new SemaphoreSlim(maxInFlight, maxInFlight);

        async Task PublishOne(long sequence)
        {
            try
            {
                await scenario.PublishAsync(sequence, cancellationToken);
                recorder.OnConfirmed();
            }
#pragma warning disable CA1031 // reported once the phase ends
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref failure, ex, null);
            }
            finally
            {
                slots.Release();
                if (Interlocked.Decrement(ref inFlight) == 0 && Volatile.Read(ref allIssued))
                {
                    drained.TrySetResult();
                }
            }
        }

        long issued = 0;
        while (issued < count)
        {
            var due = Math.Min(count, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
            while (issued < due)
            {
                await slots.WaitAsync(cancellationToken);
                Interlocked.Increment(ref inFlight);
                _ = PublishOne(first + issued);
                issued++;
            }

            if (issued < count)
            {
                // Task.Delay rounds to whole milliseconds: a wait under 1 ms would complete at once and this loop
                // would spin, taking a core from the system under test (it did: ~1 ms of CPU per message at 1,000/s).
                var nextDue = TimeSpan.FromSeconds(issued / rate) - Stopwatch.GetElapsedTime(start);
                if (nextDue > TimeSpan.Zero)
                {
                    await Task.Delay(nextDue < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : nextDue, cancellationToken);
                }
            }
        }

        Volatile.Write(ref allIssued, true);
        if (Volatile.Read(ref inFlight) != 0)
        {
            await drained.Task.WaitAsync(cancellationToken);
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"A publish failed: {failure.Message}", failure);
        }
    }
}
