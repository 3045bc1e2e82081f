namespace QazBus.Storage.MessageLog;

/// <summary>The result of checking the message log's hash chain.</summary>
public sealed record MessageLogVerification
{
    /// <summary>True when every row is unchanged and none is missing.</summary>
    public required bool IsIntact { get; init; }

    /// <summary>How many rows were checked.</summary>
    public required long RowsChecked { get; init; }

    /// <summary>The last sequence number of the chain as its head records it.</summary>
    public required long HeadSequence { get; init; }

    /// <summary>The first row found altered or missing; null when intact.</summary>
    public long? FirstBadSequence { get; init; }

    /// <summary>What is wrong with <see cref="FirstBadSequence"/>, in words.</summary>
    public string? Problem { get; init; }
}
