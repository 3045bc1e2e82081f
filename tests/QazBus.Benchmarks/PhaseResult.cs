namespace QazBus.Benchmarks;

/// <summary>One measured phase of one scenario: the table row and the JSON line.</summary>
internal sealed record PhaseResult
{
    public required string Scenario { get; init; }

    /// <summary><c>throughput</c> (full speed, a window of publishes in flight) or <c>rate</c> (fixed offered rate).</summary>
    public required string Mode { get; init; }

    public double? OfferedRate { get; init; }

    public int Round { get; init; } = 1;

    public required int Count { get; init; }

    public double MsgsPerSec { get; init; }

    public double P50Ms { get; init; }

    public double P99Ms { get; init; }

    public double MaxMs { get; init; }

    /// <summary>CPU seconds of this (client) process per 10,000 messages: publisher and consumer, not the broker.</summary>
    public double CpuSecondsPer10k { get; init; }

    /// <summary>CPU seconds of the broker's OS process per 10,000 messages, when its PID is known.</summary>
    public double? BrokerCpuSecondsPer10k { get; init; }

    /// <summary>CPU seconds of PostgreSQL (postmaster and backends) per 10,000 messages, when its PID is known.</summary>
    public double? DatabaseCpuSecondsPer10k { get; init; }

    /// <summary>Busy share of all cores during the phase (client + broker + anything else running).</summary>
    public double MachineBusyPct { get; init; }

    /// <summary>Bytes allocated on the managed heap per message (publisher and consumer together).</summary>
    public double AllocBytesPerMsg { get; init; }

    /// <summary>Peak resident set of this process during the scenario (reset before each scenario).</summary>
    public double PeakRssMb { get; init; }

    /// <summary>Throughput phases: msgs/s ÷ raw's msgs/s in the same run.</summary>
    public double? RatioToRaw { get; init; }

    /// <summary>Client CPU per message ÷ raw's, same run and phase.</summary>
    public double? CpuRatioToRaw { get; init; }

    /// <summary>Fixed-rate phases: p99 ÷ raw's p99 at the same rate, same run.</summary>
    public double? P99RatioToRaw { get; init; }

    /// <summary>Throughput of the warm-up (cold JIT), for the throughput phase.</summary>
    public double? ColdMsgsPerSec { get; init; }

    public int Duplicates { get; init; }

    /// <summary>Garbage collections during the phase (gen0/gen1/gen2), and the GC's committed memory at its end.</summary>
    public string? Collections { get; init; }

    public double GcCommittedMb { get; init; }

    /// <summary>How fast the publishers got their confirms (or commits): count ÷ time until the last publish completed.</summary>
    public double PublishMsgsPerSec { get; init; }

    /// <summary>Handled so far, and what still waited (queue depth; outbox rows) when the last publish completed.</summary>
    public string? BacklogAtPublishEnd { get; init; }

    public string? Error { get; init; }

    /// <summary>Why the scenario did not run (not a failure: e.g. no PostgreSQL given).</summary>
    public string? Skipped { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string Label => Mode == "throughput" ? Scenario : $"{Scenario}@{OfferedRate:0}";
}
