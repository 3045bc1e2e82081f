using System.CommandLine;
using System.CommandLine.Parsing;

namespace QazBus.Benchmarks;

/// <summary>
/// The benchmark's command line, parsed with System.CommandLine:
/// <c>&lt;scenario&gt; [--count N] [--warmup N] [--rate R] [--smoke] ...</c>. A bad argument is a parse error
/// (exit code 2 in Program.cs); <c>--help</c> prints the usage generated from the descriptions.
/// </summary>
internal sealed class BenchCommandLine
{
    private const string UriVariable = "QAZBUS_TEST_RABBITMQ_URI";
    private const string PostgresVariable = "QAZBUS_TEST_POSTGRES";

    private readonly Argument<string[]> _scenarios = new("scenario")
    {
        Description = "raw | direct | masstransit | masstransit-qazbus (MassTransit joined with UseQazBus) | outbox | outbox-fsync-off | rpc-raw | query | all (every scenario, one process run), or a comma list; " +
                      "rpc-raw: the plain client's request/response over direct reply-to, query's baseline; query: a QazBus query round trip (64 in flight); " +
                      "rpc-raw-headers: rpc-raw with a QazBus query's AMQP properties and headers (not in all); " +
                      "raw-throttled: raw with RabbitMQ.Client's default publish limiter (not in all); " +
                      "raw-headers: raw with QazBus's AMQP properties and CloudEvents headers (not in all).",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = ParseScenarios,
    };

    private readonly Option<int> _count = Number("--count", "Messages per measured phase (default 20000).", 20_000, minimum: 1);
    private readonly Option<int> _warmup = Number("--warmup", "Messages at full speed before measuring each scenario (default 50000; JIT tiering).", 50_000, minimum: 0);
    private readonly Option<double?> _rate = new("--rate") { Description = "The fixed-rate phase's offered rate in msg/s (default 2000; outbox 1000).", HelpName = "R" };
    private readonly Option<bool> _throughput = new("--throughput") { Description = "Only the full-speed phase." };
    private readonly Option<bool> _latency = new("--latency") { Description = "Only the fixed-rate phase." };
    private readonly Option<int> _window = Number("--window", "Publishes in flight in the full-speed phase (default 256).", 256, minimum: 1);
    private readonly Option<ushort?> _prefetch = new("--prefetch") { Description = "Consumer prefetch of raw and masstransit (default: QazBus's).", HelpName = "N" };
    private readonly Option<ushort?> _concurrency = new("--concurrency") { Description = "Consumer concurrency of raw and masstransit (default: QazBus's).", HelpName = "N" };
    private readonly Option<int> _rounds = Number("--rounds", "Run the scenario list N times in this process, report the spread (default 1).", 1, minimum: 1);
    private readonly Option<string?> _uri = new("--uri") { Description = $"RabbitMQ (default ${UriVariable}).", HelpName = "URI", DefaultValueFactory = _ => Environment.GetEnvironmentVariable(UriVariable) };
    private readonly Option<string?> _postgres = new("--postgres") { Description = $"PostgreSQL for outbox (default ${PostgresVariable}).", HelpName = "CS", DefaultValueFactory = _ => Environment.GetEnvironmentVariable(PostgresVariable) };
    private readonly Option<int[]> _brokerPid = new("--broker-pid") { Description = "The broker's OS process, to report its CPU; repeat it for every node of a cluster (summed) (default: $QAZBUS_RABBITMQ_HOME/rabbitmq.pid).", HelpName = "P" };
    private readonly Option<int?> _postgresPid = new("--postgres-pid") { Description = "PostgreSQL's postmaster, to report the database's CPU with its backends (default: $QAZBUS_POSTGRES_HOME/data/postmaster.pid).", HelpName = "P" };
    private readonly Option<int?> _timeout = new("--timeout") { Description = "Seconds a phase may take before the scenario counts as failed (default 120; 60 with --smoke).", HelpName = "S" };
    private readonly Option<string> _json = new("--json") { Description = "Also append the JSON lines to FILE.", HelpName = "FILE" };
    private readonly Option<string[]> _set = new("--set") { Description = "Configuration for the QazBus scenarios, e.g. --set QazBus:ConcurrencyLimit=32 (repeatable).", HelpName = "KEY=VALUE" };
    private readonly Option<bool> _smoke = new("--smoke")
    {
        Description = "CI: phases time out after 60 s; exit code 1 only when a scenario fails to complete (figures are never judged, in any mode; outbox is skipped without PostgreSQL).",
    };

    public BenchCommandLine()
    {
        Command = new RootCommand("QazBus benchmark: the plain RabbitMQ.Client, QazBus direct, MassTransit and the QazBus outbox, side by side. " +
                                  "Run with: dotnet run -c Release --project tests/QazBus.Benchmarks -- <scenario> [options]")
        {
            _scenarios, _count, _warmup, _rate, _throughput, _latency, _window, _prefetch, _concurrency, _rounds,
            _uri, _postgres, _brokerPid, _postgresPid, _timeout, _json, _set, _smoke,
        };
        // Option validators read the raw tokens: a value that failed to parse is reported once, by the parser.
        _uri.Validators.Add(result =>
        {
            var uri = result.Tokens.Count > 0 ? result.Tokens[^1].Value : Environment.GetEnvironmentVariable(UriVariable);
            if (string.IsNullOrWhiteSpace(uri))
            {
                result.AddError($"No broker: pass --uri amqp://guest:guest@127.0.0.1:5672/ or set {UriVariable} (eval \"$(./build.sh up)\").");
            }
        });
        _set.Validators.Add(result =>
        {
            foreach (var pair in result.Tokens.Select(t => t.Value).Where(p => p.IndexOf('=', StringComparison.Ordinal) <= 0))
            {
                result.AddError($"--set needs KEY=VALUE, not '{pair}'.");
            }
        });
    }

    /// <summary>The grammar; <c>Parse(args)</c> on it gives errors, help or the options.</summary>
    public RootCommand Command { get; }

    /// <summary>The options of a command line parsed without errors.</summary>
    public BenchOptions Read(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var smoke = parseResult.GetValue(_smoke);
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var pair in parseResult.GetValue(_set) ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            settings[pair[..equals]] = pair[(equals + 1)..];
        }

        return new BenchOptions
        {
            Scenarios = parseResult.GetValue(_scenarios)!,
            Uri = parseResult.GetValue(_uri),
            PostgresConnectionString = parseResult.GetValue(_postgres),
            Count = parseResult.GetValue(_count),
            Warmup = parseResult.GetValue(_warmup),
            Rate = parseResult.GetValue(_rate),
            ThroughputOnly = parseResult.GetValue(_throughput),
            RateOnly = parseResult.GetValue(_latency),
            Window = parseResult.GetValue(_window),
            Prefetch = parseResult.GetValue(_prefetch),
            Concurrency = parseResult.GetValue(_concurrency),
            Rounds = parseResult.GetValue(_rounds),
            PhaseTimeout = TimeSpan.FromSeconds(parseResult.GetValue(_timeout) ?? (smoke ? 60 : 120)),
            Smoke = smoke,
            BrokerPids = parseResult.GetValue(_brokerPid) ?? [],
            PostgresPid = parseResult.GetValue(_postgresPid),
            JsonFile = parseResult.GetValue(_json),
            Settings = settings,
        };
    }

    private static Option<int> Number(string name, string description, int defaultValue, int minimum)
    {
        var option = new Option<int>(name) { Description = description, HelpName = "N", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && (!int.TryParse(result.Tokens[^1].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < minimum))
            {
                result.AddError($"{name} needs a whole number, at least {minimum}, not '{result.Tokens[^1].Value}'.");
            }
        });
        return option;
    }

    private static string[] ParseScenarios(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        var scenarios = text == "all"
            ? BenchOptions.AllScenarios
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var scenario in scenarios.Where(s => !BenchOptions.AllScenarios.Contains(s) && !BenchOptions.ExtraScenarios.Contains(s)))
        {
            result.AddError($"Unknown scenario '{scenario}'.");
        }

        if (scenarios.Length == 0)
        {
            result.AddError("Name a scenario: raw, direct, masstransit, outbox, outbox-fsync-off, all, or a comma list.");
        }

        return scenarios;
    }
}
