using Polly;
using Polly.Retry;

namespace QazBus.Transport.RabbitMq;

/// <summary>
/// The one retry shape of the RabbitMQ transport: retry with exponential backoff and jitter while the failure is
/// transient, for at most a time limit. Connecting (the broker may start after the service) and publishing (the
/// connection recovers after a broker restart or a network cut) differ only in their limits and what they retry.
/// </summary>
internal static class BackoffPipeline
{
    /// <param name="within">The limit on the whole retrying, not on each attempt: it throws when it runs out.</param>
    /// <param name="firstDelay">The first wait; each next one doubles, up to <paramref name="maxDelay"/>.</param>
    /// <param name="maxDelay">The longest wait between attempts.</param>
    /// <param name="transient">Which failures are worth another attempt; any other fails at once.</param>
    /// <param name="onRetry">Told of each retry: the attempt about to run, the wait, and the failure.</param>
    public static ResiliencePipeline Build(TimeSpan within, TimeSpan firstDelay, TimeSpan maxDelay, Func<Exception, bool> transient, Action<int, TimeSpan, Exception?> onRetry) =>
        // The timeout first, so it is the outer strategy and bounds the whole retrying (Polly runs strategies in the
        // order they are added).
        new ResiliencePipelineBuilder()
            .AddTimeout(within)
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = firstDelay,
                MaxDelay = maxDelay,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(transient),
                OnRetry = args =>
                {
                    onRetry(args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception);
                    return default;
                },
            })
            .Build();
}
