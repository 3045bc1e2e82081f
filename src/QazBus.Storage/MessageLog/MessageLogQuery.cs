namespace QazBus.Storage.MessageLog;

/// <summary>What <see cref="MessageLogReader.FindAsync"/> looks for; the criteria set are all applied.</summary>
public sealed record MessageLogQuery
{
    /// <summary>Rows of this CloudEvents id.</summary>
    public string? MessageId { get; init; }

    /// <summary>Rows of this correlation id.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Rows of this contract name (any version).</summary>
    public string? Contract { get; init; }

    /// <summary>Rows at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Rows before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>At most this many rows, the latest ones. Default 100.</summary>
    public int Limit { get; init; } = 100;
}
