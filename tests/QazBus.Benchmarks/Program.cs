using System.CommandLine.Help;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using QazBus.Benchmarks;
using QazBus.Configuration;
using RabbitMQ.Client;

var commandLine = new BenchCommandLine();
var parseResult = commandLine.Command.Parse(args);
if (parseResult.Errors.Count > 0)
{
    foreach (var error in parseResult.Errors)
    {
        Console.Error.WriteLine($"benchmark: {error.Message}");
    }

    Console.Error.WriteLine("Run with --help for usage.");
    return 2;
}

if (parseResult.Action is HelpAction)
{
    return await parseResult.InvokeAsync();
}

var options = commandLine.Read(parseResult);

var defaults = new QazBusOptions();
var prefetch = options.Prefetch ?? (ushort)defaults.PrefetchCount;
var concurrency = options.Concurrency ?? (ushort)defaults.ConcurrencyLimit;
var brokerPids = Machine.FindBrokerPids(options.BrokerPids);
var postgresPid = Machine.FindPostgresPid(options.PostgresPid);
var json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

Console.WriteLine($"QazBus benchmark: {string.Join(", ", options.Scenarios)}; {options.Count} messages per phase, warm-up {options.Warmup}, window {options.Window}, " +
                  $"consumer prefetch {prefetch} / concurrency {concurrency}, rounds {options.Rounds}{(options.Smoke ? ", smoke" : string.Empty)}");
Console.WriteLine($"machine: {Machine.Describe()}");
if (options.Settings.Count > 0)
{
    Console.WriteLine($"settings: {string.Join(", ", options.Settings.Select(s => $"{s.Key}={s.Value}"))}");
}

Console.WriteLine($"broker: {new Uri(options.Uri!).Host}:{new Uri(options.Uri!).Port}{(brokerPids.Count == 0 ? " (broker CPU not measured: its PID is unknown)" : $" (OS pid {string.Join(", ", brokerPids)})")}" +
                  $"; PostgreSQL {(postgresPid is null ? "CPU not measured: its PID is unknown" : $"postmaster pid {postgresPid}")}");
Console.WriteLine($"body: {JsonSerializer.SerializeToUtf8Bytes(SampleRecorded.Create(1_000_000, 1_234_567_890_123), QazBus.Wire.BusJson.Options).Length} bytes of JSON");
Console.WriteLine();

// Round trips in flight for query and its baseline: a requester waits for each answer, so 64 callers.
const int QueryWindow = 64;

await using var probe = new BrokerProbe(options.Uri!);
var results = new List<PhaseResult>();
var failed = false;
long nextSequence = 1;
var warmed = new HashSet<string>(StringComparer.Ordinal);

for (var round = 1; round <= options.Rounds; round++)
{
    // raw first, rpc-raw before query: every other scenario's ratios are against its baseline of the same round.
    foreach (var name in options.Scenarios.OrderBy(s => s switch { "raw" => 0, "rpc-raw" => 1, _ => 2 }))
    {
        var rows = await RunScenarioAsync(name, round);
        foreach (var row in rows)
        {
            var withRatios = AddRatios(row, results);
            results.Add(withRatios);
            PrintRow(withRatios, header: results.Count == 1);
            failed |= withRatios.Error is not null;
        }
    }
}

Console.WriteLine();
PrintTable(results);
if (options.Rounds > 1)
{
    PrintSpread(results);
}

Console.WriteLine();
foreach (var row in results)
{
    var line = JsonSerializer.Serialize(row, json);
    Console.WriteLine(line);
    if (options.JsonFile is not null)
    {
        await File.AppendAllTextAsync(options.JsonFile, line + Environment.NewLine);
    }
}

if (failed)
{
    Console.Error.WriteLine("benchmark: at least one scenario did not complete (see 'error' above)");
}
else if (options.Smoke)
{
    Console.WriteLine($"smoke: {results.Count(r => r.Error is null && r.Skipped is null)} phase(s) completed, {results.Count(r => r.Skipped is not null)} skipped; figures are not judged");
}

return failed ? 1 : 0;

async Task<List<PhaseResult>> RunScenarioAsync(string name, int round)
{
    var rows = new List<PhaseResult>();
    var rate = options.RateFor(name);
    IScenario scenario;
    string[] queues;
    switch (name)
    {
        case "raw":
            scenario = new RawScenario(options.Uri!, prefetch, concurrency, options.Window);
            queues = [RawScenario.Queue];
            break;
        case "raw-throttled":
            scenario = new RawScenario(options.Uri!, prefetch, concurrency, options.Window, clientDefaultLimiter: true);
            queues = [RawScenario.Queue];
            break;
        case "raw-headers":
            scenario = new RawScenario(options.Uri!, prefetch, concurrency, options.Window, cloudEventsHeaders: true);
            queues = [RawScenario.Queue];
            break;
        case "direct":
            scenario = new DirectScenario(options.Uri!, options.Window, options.Settings);
            queues = [DirectScenario.Queue, DirectScenario.Queue + QazBus.Naming.BusNames.ErrorQueueSuffix];
            break;
        case "rpc-raw":
            scenario = new RpcRawScenario(options.Uri!, prefetch, concurrency, QueryWindow);
            queues = [RpcRawScenario.Queue];
            break;
        case "rpc-raw-headers":
            scenario = new RpcRawScenario(options.Uri!, prefetch, concurrency, QueryWindow, queryHeaders: true);
            queues = [RpcRawScenario.Queue];
            break;
        case "query":
            scenario = new QueryScenario(options.Uri!, QueryWindow, options.Settings);
            queues = [QueryScenario.Queue, QueryScenario.Queue + QazBus.Naming.BusNames.ErrorQueueSuffix];
            break;
        case "masstransit-qazbus":
            scenario = new MassTransitQazBusScenario(options.Uri!, options.Window, options.Settings);
            queues = [MassTransitQazBusScenario.Queue, MassTransitQazBusScenario.Queue + QazBus.Naming.BusNames.ErrorQueueSuffix];
            break;
        case "masstransit":
            scenario = new MassTransitScenario(options.Uri!, prefetch, concurrency, options.Window);
            queues = [MassTransitScenario.Queue, MassTransitScenario.Queue + "_error", MassTransitScenario.Queue + "_skipped"];
            break;
        case "outbox" or "outbox-fsync-off" when !string.IsNullOrWhiteSpace(options.PostgresConnectionString):
            scenario = new OutboxScenario(options.Uri!, options.PostgresConnectionString, options.Window, options.Settings, fsyncOff: name == "outbox-fsync-off");
            queues = [OutboxScenario.Queue, OutboxScenario.Queue + QazBus.Naming.BusNames.ErrorQueueSuffix];
            break;
        default:
            return [new PhaseResult { Scenario = name, Mode = "throughput", Round = round, Count = 0, Skipped = "skipped: no PostgreSQL (set QAZBUS_TEST_POSTGRES or pass --postgres)" }];
    }

    var receiver = new Receiver();
    double? cold = null;
    try
    {
        await DeleteQueuesAsync(queues);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Machine.ResetPeakRss();
        await using (scenario)
        {
            await scenario.StartAsync(receiver, CancellationToken.None);
            if (scenario is OutboxScenario { Durability: { } durability })
            {
                Console.WriteLine($"{name}: PostgreSQL {durability}");
            }

            if (!options.RateOnly)
            {
                if (warmed.Add(name) && WarmupFor(name) > 0)
                {
                    var warm = await MeasureAsync(scenario, receiver, "throughput", WarmupFor(name), null, round);
                    cold = warm.MsgsPerSec;
                }

                rows.Add(await MeasureAsync(scenario, receiver, "throughput", options.Count, null, round) with { ColdMsgsPerSec = cold });
            }

            if (!options.ThroughputOnly)
            {
                if (warmed.Add(name) && WarmupFor(name) > 0)
                {
                    await MeasureAsync(scenario, receiver, "throughput", WarmupFor(name), null, round);
                }

                rows.Add(await MeasureAsync(scenario, receiver, "rate", options.Count, rate, round));
            }
        }

        var peak = Machine.PeakRssMb();
        rows = rows.Select(r => r with { PeakRssMb = peak, Duplicates = r.Duplicates }).ToList();
        if (receiver.Stray > 0)
        {
            Console.Error.WriteLine($"{name}: {receiver.Stray} message(s) outside the measured phases (late or left over)");
        }
    }
#pragma warning disable CA1031 // a scenario that fails is reported and the others still run
    catch (Exception ex)
#pragma warning restore CA1031
    {
        rows.Add(new PhaseResult { Scenario = name, Mode = "throughput", Round = round, Count = options.Count, Error = $"{ex.GetType().Name}: {ex.Message}" });
    }
    finally
    {
        try
        {
            await DeleteQueuesAsync(queues);
        }
#pragma warning disable CA1031 // cleanup of a failed scenario: the failure is already reported
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"{name}: could not delete its queues: {ex.Message}");
        }
    }

    return rows;
}

// The outbox moves an order of magnitude fewer messages per second, and its code path (the same publish and
// consume pipeline plus Npgsql) is warm after a fifth of the others' warm-up.
int WarmupFor(string scenario) => scenario.StartsWith("outbox", StringComparison.Ordinal) ? Math.Min(options.Warmup, 10_000) : options.Warmup;

async Task<PhaseResult> MeasureAsync(IScenario scenario, Receiver receiver, string mode, int count, double? rate, int round)
{
    var recorder = new Recorder(nextSequence, count);
    var first = nextSequence;
    nextSequence += count;
    receiver.Current = recorder;

    GC.Collect();
    var cpu0 = Machine.ClientCpu();
    var broker0 = Machine.ProcessCpuSeconds(brokerPids);
    var database0 = Machine.ProcessTreeCpuSeconds(postgresPid);
    var (busy0, total0) = Machine.MachineJiffies();
    var alloc0 = GC.GetTotalAllocatedBytes(precise: false);
    int[] gcs0 = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    var t0 = Stopwatch.GetTimestamp();

    using var timeout = new CancellationTokenSource(options.PhaseTimeout);
    var published = 0L;
    var backlog = (string?)null;
    try
    {
        if (rate is null)
        {
            await Driver.RunWindowAsync(scenario, recorder, first, count, scenario.Window, timeout.Token);
        }
        else
        {
            await Driver.RunRateAsync(scenario, recorder, first, count, rate.Value, maxInFlight: 10_000, timeout.Token);
        }

        published = Stopwatch.GetTimestamp();
        backlog = $"handled {recorder.Received}, {await scenario.BacklogAsync(probe, timeout.Token)}";

        await recorder.Done.WaitAsync(timeout.Token);
    }
    catch (OperationCanceledException) when (timeout.IsCancellationRequested)
    {
        string where;
        try
        {
            using var probeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            where = await scenario.BacklogAsync(probe, probeTimeout.Token);
        }
#pragma warning disable CA1031 // only a diagnostic
        catch (Exception ex)
#pragma warning restore CA1031
        {
            where = $"backlog unknown: {ex.Message}";
        }

        throw new TimeoutException($"{scenario.Name} {mode}: {recorder.Confirmed} of {count} publishes completed, {recorder.Received} messages arrived within {options.PhaseTimeout.TotalSeconds:0} s; {where}");
    }
    finally
    {
        receiver.Current = null;
    }

    var t1 = recorder.LastReceived;
    var cpu1 = Machine.ClientCpu();
    var broker1 = Machine.ProcessCpuSeconds(brokerPids);
    var database1 = Machine.ProcessTreeCpuSeconds(postgresPid);
    var (busy1, total1) = Machine.MachineJiffies();
    var alloc1 = GC.GetTotalAllocatedBytes(precise: false);
    var seconds = (t1 - t0) / (double)Stopwatch.Frequency;
    var latencies = recorder.SortedLatenciesMs();
    return new PhaseResult
    {
        Scenario = scenario.Name,
        Mode = mode,
        OfferedRate = rate,
        Round = round,
        Count = count,
        MsgsPerSec = count / seconds,
        P50Ms = Percentile(latencies, 0.50),
        P99Ms = Percentile(latencies, 0.99),
        MaxMs = latencies[^1],
        CpuSecondsPer10k = (cpu1 - cpu0).TotalSeconds * 10_000 / count,
        BrokerCpuSecondsPer10k = broker0 is null || broker1 is null ? null : (broker1 - broker0) * 10_000 / count,
        DatabaseCpuSecondsPer10k = database0 is null || database1 is null ? null : (database1 - database0) * 10_000 / count,
        MachineBusyPct = total1 > total0 ? 100.0 * (busy1 - busy0) / (total1 - total0) : 0,
        AllocBytesPerMsg = (alloc1 - alloc0) / (double)count,
        Duplicates = recorder.Duplicates,
        PublishMsgsPerSec = count / ((published - t0) / (double)Stopwatch.Frequency),
        Collections = $"{GC.CollectionCount(0) - gcs0[0]}/{GC.CollectionCount(1) - gcs0[1]}/{GC.CollectionCount(2) - gcs0[2]}",
        GcCommittedMb = GC.GetGCMemoryInfo().TotalCommittedBytes / (1024.0 * 1024.0),
        BacklogAtPublishEnd = backlog,
    };
}

static double Percentile(double[] sorted, double p) =>
    sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

static PhaseResult AddRatios(PhaseResult row, List<PhaseResult> earlier)
{
    // A query is compared with the plain client's RPC, everything else with the plain client's publish.
    var baseline = row.Scenario is "query" or "rpc-raw-headers" ? "rpc-raw" : "raw";
    var raw = earlier.LastOrDefault(r => r.Scenario == baseline && r.Round == row.Round && r.Mode == row.Mode && r.OfferedRate == row.OfferedRate && r.Error is null);
    if (raw is null || row.Error is not null || row.Skipped is not null)
    {
        return row;
    }

    return row with
    {
        RatioToRaw = row.Mode == "throughput" ? Math.Round(row.MsgsPerSec / raw.MsgsPerSec, 3) : null,
        CpuRatioToRaw = Math.Round(row.CpuSecondsPer10k / raw.CpuSecondsPer10k, 3),
        P99RatioToRaw = row.Mode == "rate" ? Math.Round(row.P99Ms / raw.P99Ms, 3) : null,
    };
}

void PrintRow(PhaseResult r, bool header)
{
    if (header)
    {
        Console.WriteLine(Header());
    }

    Console.WriteLine(Format(r));
}

static string Header() =>
    string.Create(CultureInfo.InvariantCulture,
        $"{"scenario",-18} {"count",7} {"msg/s",8} {"p50 ms",8} {"p99 ms",8} {"max ms",8} {"cpu s/10k",10} {"broker s/10k",12} {"db s/10k",8} {"busy %",7} {"alloc B/msg",11} {"peak RSS MB",11} {"x raw",6} {"cpu x raw",9} {"p99 x raw",9} {"cold msg/s",10} {"pub msg/s",9}  at publish end");

static string Format(PhaseResult r)
{
    if (r.Error is not null)
    {
        return $"{r.Label,-18} FAILED: {r.Error}";
    }

    if (r.Skipped is not null)
    {
        return $"{r.Label,-18} {r.Skipped}";
    }

    static string Opt(double? value, string format, int width) =>
        value is null ? new string(' ', width - 1) + "-" : value.Value.ToString(format, CultureInfo.InvariantCulture).PadLeft(width);

    return string.Create(CultureInfo.InvariantCulture,
        $"{r.Label,-18} {r.Count,7} {r.MsgsPerSec,8:0} {r.P50Ms,8:0.00} {r.P99Ms,8:0.00} {r.MaxMs,8:0.0} {r.CpuSecondsPer10k,10:0.000} {Opt(r.BrokerCpuSecondsPer10k, "0.000", 12)} {Opt(r.DatabaseCpuSecondsPer10k, "0.000", 8)} {r.MachineBusyPct,7:0} {r.AllocBytesPerMsg,11:0} {r.PeakRssMb,11:0} {Opt(r.RatioToRaw, "0.00", 6)} {Opt(r.CpuRatioToRaw, "0.00", 9)} {Opt(r.P99RatioToRaw, "0.00", 9)} {Opt(r.ColdMsgsPerSec, "0", 10)} {r.PublishMsgsPerSec,9:0}  {r.BacklogAtPublishEnd}");
}

void PrintTable(List<PhaseResult> rows)
{
    Console.WriteLine(Header());
    foreach (var row in rows)
    {
        Console.WriteLine(Format(row));
    }
}

void PrintSpread(List<PhaseResult> rows)
{
    Console.WriteLine();
    Console.WriteLine("spread over rounds (median [min - max]):");
    foreach (var group in rows.Where(r => r.Error is null && r.Skipped is null).GroupBy(r => r.Label))
    {
        static string Spread(IEnumerable<double?> values, string format)
        {
            var v = values.Where(x => x is not null).Select(x => x!.Value).Order().ToArray();
            return v.Length == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{v[v.Length / 2].ToString(format, CultureInfo.InvariantCulture)} [{v[0].ToString(format, CultureInfo.InvariantCulture)} - {v[^1].ToString(format, CultureInfo.InvariantCulture)}]");
        }

        Console.WriteLine($"  {group.Key,-18} msg/s {Spread(group.Select(r => (double?)r.MsgsPerSec), "0"),-22} p99 ms {Spread(group.Select(r => (double?)r.P99Ms), "0.0"),-20} " +
                          $"x raw {Spread(group.Select(r => r.RatioToRaw), "0.00"),-20} cpu x raw {Spread(group.Select(r => r.CpuRatioToRaw), "0.00"),-20} p99 x raw {Spread(group.Select(r => r.P99RatioToRaw), "0.00")}");
    }
}

async Task DeleteQueuesAsync(string[] queues) => await probe.DeleteQueuesAsync(queues, CancellationToken.None);
