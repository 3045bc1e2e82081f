namespace QazBus.Benchmarks;

/// <summary>
/// What to run and how: <c>&lt;scenario&gt; [--count N] [--rate R] [--uri amqp://...] [--warmup N] [--smoke] ...</c>,
/// read from the command line by <see cref="BenchCommandLine"/>.
/// </summary>
internal sealed record BenchOptions
{
    public static readonly string[] AllScenarios = ["raw", "direct", "masstransit", "masstransit-qazbus", "outbox", "outbox-fsync-off", "rpc-raw", "query"];

    /// <summary>Not in <c>all</c>: raw variants that isolate one cost (the client's publish limiter; QazBus's headers on the wire).</summary>
    public static readonly string[] ExtraScenarios = ["raw-throttled", "raw-headers", "rpc-raw-headers"];

    public required IReadOnlyList<string> Scenarios { get; init; }

    public string? Uri { get; init; }

    public string? PostgresConnectionString { get; init; }

    /// <summary>Messages per measured phase (throughput and fixed-rate each).</summary>
    public int Count { get; init; } = 20_000;

    /// <summary>Messages published at full speed before the first measured phase of each scenario.</summary>
    public int Warmup { get; init; } = 50_000;

    /// <summary>Fixed offered rate; null: each scenario's default (2,000 msg/s, outbox 1,000 msg/s).</summary>
    public double? Rate { get; init; }

    /// <summary>Only the throughput phase, or only the fixed-rate phase; both by default.</summary>
    public bool ThroughputOnly { get; init; }

    public bool RateOnly { get; init; }

    /// <summary>Publishes in flight in the throughput phase (same for every scenario).</summary>
    public int Window { get; init; } = 256;

    /// <summary>Consumer prefetch and concurrency of the raw and MassTransit scenarios; null: QazBus's defaults.</summary>
    public ushort? Prefetch { get; init; }

    public ushort? Concurrency { get; init; }

    public int Rounds { get; init; } = 1;

    public TimeSpan PhaseTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public bool Smoke { get; init; }

    /// <summary>The broker's OS processes: one, or every node of a cluster (their CPU is summed).</summary>
    public IReadOnlyList<int> BrokerPids { get; init; } = [];

    /// <summary>The PostgreSQL server's postmaster; its backends are counted with it.</summary>
    public int? PostgresPid { get; init; }

    public string? JsonFile { get; init; }

    /// <summary>Configuration overrides for the QazBus scenarios (direct, outbox), e.g. <c>QazBus:ConcurrencyLimit=32</c>.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public double RateFor(string scenario) => Rate ?? (scenario.StartsWith("outbox", StringComparison.Ordinal) || scenario is "query" or "rpc-raw" or "rpc-raw-headers" ? 1_000 : 2_000);
}
