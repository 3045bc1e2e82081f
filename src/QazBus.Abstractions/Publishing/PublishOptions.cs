namespace QazBus.Publishing;

/// <summary>Optional per-message settings for <see cref="IContractPublisher.PublishAsync{TContract}"/>.</summary>
public sealed record PublishOptions
{
    /// <summary>The CloudEvents id. Default: a new UUID v7. Set it to make a retried publish idempotent downstream.</summary>
    public string? MessageId { get; init; }

    /// <summary>Links messages of one business case (for example an application number). Default: none.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The CloudEvents time: when the event happened. Default: now.</summary>
    public DateTimeOffset? Time { get; init; }
}
