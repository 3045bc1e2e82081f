using System.Globalization;

namespace QazBus.Benchmarks;

/// <summary>The command line: <c>&lt;scenario&gt; [--count N] [--rate R] [--uri amqp://...] [--warmup N] [--smoke] ...</c></summary>
internal sealed record BenchOptions
{
    public static readonly string[] AllScenarios = ["raw", "direct", "masstransit", "outbox", "outbox-fsync-off"];

    /// <summary>Not in <c>all</c>: raw variants that isolate one cost (the client's publish limiter; QazBus's headers on the wire).</summary>
    public static readonly string[] ExtraScenarios = ["raw-throttled", "raw-headers"];

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

    public int? BrokerPid { get; init; }

    public string? JsonFile { get; init; }

    /// <summary>Configuration overrides for the QazBus scenarios (direct, outbox), e.g. <c>QazBus:ConcurrencyLimit=32</c>.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public const string Usage = """
        QazBus benchmark: the plain RabbitMQ.Client, QazBus direct, MassTransit and the QazBus outbox, side by side.

          dotnet run -c Release --project tests/QazBus.Benchmarks -- <scenario> [options]

        scenario   raw | direct | masstransit | outbox | all (every scenario, one process run), or a comma list;
                   raw-throttled: raw with RabbitMQ.Client's default publish limiter (not in all)
                   raw-headers: raw with QazBus's AMQP properties and CloudEvents headers (not in all)
        --count N        messages per measured phase (default 20000)
        --warmup N       messages at full speed before measuring each scenario (default 50000; JIT tiering)
        --rate R         the fixed-rate phase's offered rate in msg/s (default 2000; outbox 1000)
        --throughput     only the full-speed phase      --latency   only the fixed-rate phase
        --window N       publishes in flight in the full-speed phase (default 256)
        --prefetch N / --concurrency N   consumer settings of raw and masstransit (default: QazBus's defaults)
        --rounds N       run the scenario list N times in this process, report the spread (default 1)
        --uri URI        RabbitMQ (default $QAZBUS_TEST_RABBITMQ_URI)
        --postgres CS    PostgreSQL for outbox (default $QAZBUS_TEST_POSTGRES)
        --broker-pid P   the broker's OS process, to report its CPU (default: $QAZBUS_RABBITMQ_HOME/rabbitmq.pid)
        --timeout S      seconds a phase may take before the scenario counts as failed (default 120)
        --json FILE      also append the JSON lines to FILE
        --set KEY=VALUE  configuration for the QazBus scenarios, e.g. --set QazBus:ConcurrencyLimit=32 (repeatable)
        --smoke          CI: phases time out after 60 s; exit code 1 only when a scenario fails to complete
                         (figures are never judged, in any mode; outbox is skipped without PostgreSQL)
        """;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            throw new ArgumentException(Usage);
        }

        var scenarios = args[0] == "all"
            ? AllScenarios
            : args[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var scenario in scenarios)
        {
            if (!AllScenarios.Contains(scenario) && !ExtraScenarios.Contains(scenario))
            {
                throw new ArgumentException($"Unknown scenario '{scenario}'.\n\n{Usage}");
            }
        }

        var options = new BenchOptions
        {
            Scenarios = scenarios,
            Uri = Environment.GetEnvironmentVariable("QAZBUS_TEST_RABBITMQ_URI"),
            PostgresConnectionString = Environment.GetEnvironmentVariable("QAZBUS_TEST_POSTGRES"),
        };
        for (var i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n\n{Usage}");
            int Int() => int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--count" => options with { Count = Int() },
                "--warmup" => options with { Warmup = Int() },
                "--rate" => options with { Rate = double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture) },
                "--throughput" => options with { ThroughputOnly = true },
                "--latency" => options with { RateOnly = true },
                "--window" => options with { Window = Int() },
                "--prefetch" => options with { Prefetch = (ushort)Int() },
                "--concurrency" => options with { Concurrency = (ushort)Int() },
                "--rounds" => options with { Rounds = Int() },
                "--uri" => options with { Uri = Value() },
                "--postgres" => options with { PostgresConnectionString = Value() },
                "--broker-pid" => options with { BrokerPid = Int() },
                "--timeout" => options with { PhaseTimeout = TimeSpan.FromSeconds(Int()) },
                "--json" => options with { JsonFile = Value() },
                "--smoke" => options with { Smoke = true },
                "--set" => options with { Settings = With(options.Settings, Value()) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n\n{Usage}"),
            };
        }

        if (string.IsNullOrWhiteSpace(options.Uri))
        {
            throw new ArgumentException("No broker: pass --uri amqp://guest:guest@127.0.0.1:5672/ or set QAZBUS_TEST_RABBITMQ_URI (eval \"$(./build.sh up)\").");
        }

        if (options.Count < 1 || options.Warmup < 0 || options.Window < 1 || options.Rounds < 1)
        {
            throw new ArgumentException("--count, --window and --rounds must be at least 1, --warmup at least 0.");
        }

        if (options.Smoke && !args.Contains("--timeout"))
        {
            options = options with { PhaseTimeout = TimeSpan.FromSeconds(60) };
        }

        return options;
    }

    private static Dictionary<string, string?> With(IReadOnlyDictionary<string, string?> settings, string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--set needs KEY=VALUE, not '{pair}'.");
        }

        return new Dictionary<string, string?>(settings) { [pair[..equals]] = pair[(equals + 1)..] };
    }

    public double RateFor(string scenario) => Rate ?? (scenario.StartsWith("outbox", StringComparison.Ordinal) ? 1_000 : 2_000);
}
