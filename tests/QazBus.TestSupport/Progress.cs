namespace QazBus.TestSupport;

/// <summary>
/// Waits for a fault test's condition while printing where it stands, and fails as soon as nothing moves any more.
/// A stall is not a slow machine: a count that has not changed for <c>stall</c> means something is stuck, and the
/// failure then carries the last progress line and a diagnosis (database sessions, queue state), so it says where.
/// </summary>
public static class Progress
{
    /// <param name="what">What is awaited, for the messages.</param>
    /// <param name="done">True when the wait is over.</param>
    /// <param name="report">The progress line: counts that change while work is being done.</param>
    /// <param name="diagnose">Extra facts printed with a stall (database sessions, locks).</param>
    /// <param name="log">Where progress goes (the test output).</param>
    /// <param name="stall">How long the progress line may stay the same. Default 60 s.</param>
    /// <param name="limit">An upper bound on the whole wait. Default 5 min.</param>
    public static async Task UntilAsync(string what, Func<Task<bool>> done, Func<Task<string>> report, Func<Task<string>>? diagnose, Action<string> log, TimeSpan? stall = null, TimeSpan? limit = null)
    {
        var stallAfter = stall ?? TimeSpan.FromSeconds(60);
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(5));
        var last = await report().ConfigureAwait(false);
        var lastChange = DateTime.UtcNow;
        var lastPrint = DateTime.MinValue;
        while (!await done().ConfigureAwait(false))
        {
            await Task.Delay(200).ConfigureAwait(false);
            var now = DateTime.UtcNow;
            var current = await report().ConfigureAwait(false);
            if (current != last)
            {
                last = current;
                lastChange = now;
            }

            if (now - lastPrint > TimeSpan.FromSeconds(5))
            {
                lastPrint = now;
                log($"{now:HH:mm:ss.f} waiting for {what}: {current}");
            }

            if (now - lastChange > stallAfter || now > deadline)
            {
                var why = now > deadline ? $"not done within {(limit ?? TimeSpan.FromMinutes(5)).TotalSeconds:F0} s" : $"no progress for {stallAfter.TotalSeconds:F0} s";
                var facts = diagnose is null ? string.Empty : await diagnose().ConfigureAwait(false);
                throw new TimeoutException($"Waiting for {what}: {why}. Last: {current}.{facts}");
            }
        }

        log($"{DateTime.UtcNow:HH:mm:ss.f} done: {what}: {await report().ConfigureAwait(false)}");
    }
}
