using System.ComponentModel.DataAnnotations;
using QazBus.Contracts;

namespace QazBus.Benchmarks;

/// <summary>
/// The benchmark's message: a ~500-byte JSON body, shaped like a real contract (nested record, a list, a couple
/// of validation rules). Agency <c>qazbench</c>, so it never collides with a real contract or exchange.
/// </summary>
[Contract("qazbench.load.sample-recorded", 1)]
public sealed record SampleRecorded
{
    /// <summary>Position in the run; the receiver uses it to find duplicates and losses.</summary>
    public required long Sequence { get; init; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp taken when the publish started (same process).</summary>
    public required long SentTimestamp { get; init; }

    [RegularExpression(@"^[A-Z]{2}-[A-Z]{3}-\d{6}$")]
    public required string StationId { get; init; }

    [StringLength(100, MinimumLength = 1)]
    public required string Region { get; init; }

    [StringLength(100, MinimumLength = 1)]
    public required string Locality { get; init; }

    public required DateTimeOffset RecordedAt { get; init; }

    public required IReadOnlyList<Reading> Readings { get; init; }

    [StringLength(200)]
    public string? Note { get; init; }

    /// <summary>A message with realistic content: about 500 bytes of camelCase JSON.</summary>
    public static SampleRecorded Create(long sequence, long sentTimestamp) => new()
    {
        Sequence = sequence,
        SentTimestamp = sentTimestamp,
        StationId = "KZ-ALA-004217",
        Region = "Almaty Region",
        Locality = "Talgar",
        RecordedAt = Epoch.AddSeconds(sequence),
        Readings = SampleReadings,
        Note = "Hourly sample from the automatic station; values checked by the field office.",
    };

    private static readonly DateTimeOffset Epoch = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    private static readonly Reading[] SampleReadings =
    [
        new() { Kind = "temperature", Value = -7.25, Unit = "celsius" },
        new() { Kind = "humidity", Value = 81.5, Unit = "percent" },
        new() { Kind = "pressure", Value = 1021.4, Unit = "hectopascal" },
        new() { Kind = "wind-speed", Value = 3.75, Unit = "metre-per-second" },
        new() { Kind = "pm2.5", Value = 48.0, Unit = "microgram-per-cubic-metre" },
    ];
}

/// <summary>One measured value.</summary>
public sealed record Reading
{
    [StringLength(40, MinimumLength = 1)]
    public required string Kind { get; init; }

    public required double Value { get; init; }

    [StringLength(40, MinimumLength = 1)]
    public required string Unit { get; init; }
}
