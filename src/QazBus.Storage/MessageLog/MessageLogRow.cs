namespace QazBus.Storage.MessageLog;

/// <summary>A message log row as stored, hashes and payload as bytes.</summary>
internal sealed class MessageLogRow
{
    public long Sequence { get; set; }

    public required DateTimeOffset Time { get; init; }

    public required string System { get; init; }

    public required string Outcome { get; init; }

    public string? MessageId { get; init; }

    public string? Contract { get; init; }

    public int? Version { get; init; }

    public string? Source { get; init; }

    public required string Destination { get; init; }

    public string? CorrelationId { get; init; }

    public string? TraceParent { get; init; }

    public string? Reason { get; init; }

    public int Attempts { get; init; }

    public required byte[] PayloadHash { get; init; }

    public bool PayloadLogged { get; init; }

    public byte[]? Payload { get; init; }

    public byte[] PreviousHash { get; set; } = [];

    public byte[] Hash { get; set; } = [];

    public MessageLogEntry ToEntry() => new()
    {
        Sequence = Sequence,
        Time = Time,
        System = System,
        Outcome = Outcome,
        MessageId = MessageId,
        Contract = Contract,
        Version = Version,
        Source = Source,
        Destination = Destination,
        CorrelationId = CorrelationId,
        TraceParent = TraceParent,
        Reason = Reason,
        Attempts = Attempts,
        PayloadHash = Convert.ToHexStringLower(PayloadHash),
        PayloadLogged = PayloadLogged,
        Payload = Payload is { } payload ? new ReadOnlyMemory<byte>(payload) : (ReadOnlyMemory<byte>?)null,
        PreviousHash = Convert.ToHexStringLower(PreviousHash),
        Hash = Convert.ToHexStringLower(Hash),
    };
}
