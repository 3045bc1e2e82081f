using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QazBus.Naming;
using QazBus.Observation;

namespace QazBus.Demo.Journey;

/// <summary>
/// Prints each message's journey: enqueued in the sender's business transaction (reported by
/// <see cref="ObservedOutbox"/>), relayed from the outbox to the broker (the bus reports the publish once the broker
/// confirmed it) and each outcome at a receiving endpoint. The demo registers one instance in both agencies'
/// hosts, so it sees both ends; the samples know nothing of it.
/// </summary>
/// <remarks>
/// Only messages published by this process count: over RabbitMQ the queues may still hold messages of earlier
/// runs, which the tax office handles as well; they are reported apart, never mistaken for this run's.
/// Observers run on the message path, so this one only takes a lock and writes a line.
/// </remarks>
internal sealed class JourneyObserver(TextWriter output, int expectedMessages) : IMessageObserver
{
    // Wide enough for "mju.population-registry", so the lines of both systems align.
    private const int SystemWidth = 23;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _enqueued = new(StringComparer.Ordinal);
    private readonly HashSet<string> _iins = new(StringComparer.Ordinal);
    private long _lastProgress = Stopwatch.GetTimestamp();
    private readonly Dictionary<string, MessageRecord> _published = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<MessageRecord>> _outcomes = new(StringComparer.Ordinal);

    // Outcomes of messages this process did not publish (yet): handled before the sender's confirm was
    // reported, or left in a queue by an earlier run.
    private readonly Dictionary<string, List<MessageRecord>> _unmatched = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Queries: when each request was asked, and each answer's status and round trip.
    private readonly Dictionary<string, DateTimeOffset> _asked = new(StringComparer.Ordinal);
    private readonly List<(string Status, TimeSpan RoundTrip)> _answers = [];

    /// <summary>True once every expected message was handled; false as soon as one went to an error queue.</summary>
    public Task<bool> Completion => _completion.Task;

    /// <summary>How long since a message was last enqueued, relayed or reached an outcome anywhere.</summary>
    public TimeSpan SinceProgress => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastProgress));

    /// <summary>The citizens (IINs) this run's messages were about: the effect to look for at the tax office.</summary>
    public IReadOnlySet<string> Iins
    {
        get
        {
            lock (_gate)
            {
                return _iins.ToHashSet(StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The sender wrote the message to its outbox, in the transaction of the business change.</summary>
    public void OnEnqueued(string messageId, string system, string contract, int? version, DateTimeOffset time)
    {
        lock (_gate)
        {
            _enqueued[messageId] = time;
            Progress();
            output.WriteLine($"{Clock(time)}  {system,-SystemWidth}  enqueued  {contract} v{version}  id {messageId}  with the record, one transaction");
        }
    }

    public ValueTask OnPublishedAsync(MessageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.MessageId is not { } messageId)
        {
            return ValueTask.CompletedTask;
        }

        if (record.RequestHash is not null)
        {
            OnQuery(record, published: true);
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            _published[messageId] = record;
            Progress();
            if (IinOf(record.Body) is { } iin)
            {
                _iins.Add(iin);
            }

            _outcomes[messageId] = [];
            var fromOutbox = _enqueued.TryGetValue(messageId, out var enqueued) ? $"  ({Ms(record.Time - enqueued)} after enqueue)" : string.Empty;
            output.WriteLine($"{Clock(record.Time)}  {record.System,-SystemWidth}  relayed   id {messageId} to {record.Destination}, confirmed{fromOutbox}, trace {TraceId(record.TraceParent)}");
            if (_unmatched.Remove(messageId, out var early))
            {
                early.ForEach(outcome => Record(record, outcome));
            }

            CheckCompletion();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnConsumedAsync(MessageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.RequestHash is not null)
        {
            OnQuery(record, published: false);
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            var messageId = record.MessageId ?? string.Empty;
            Progress();
            if (_published.TryGetValue(messageId, out var publication))
            {
                Record(publication, record);
                CheckCompletion();
            }
            else if (_unmatched.TryGetValue(messageId, out var outcomes))
            {
                outcomes.Add(record);
            }
            else
            {
                _unmatched[messageId] = [record];
            }
        }

        return ValueTask.CompletedTask;
    }

    // A query's four steps: asked (the requester's publish), answering (the provider's outcome), answered (the
    // provider's answer), and the answer at the requester. They are questions, not the events counted above.
    private void OnQuery(MessageRecord record, bool published)
    {
        var toRequester = record.Destination.StartsWith(QazBus.Wire.WireHeaders.DirectReplyTo, StringComparison.Ordinal)
            || record.Destination.EndsWith("." + BusNames.RepliesEndpoint, StringComparison.Ordinal);
        var status = record.Reason ?? "ok";
        lock (_gate)
        {
            Progress();
            var line = $"{Clock(record.Time)}  {record.System,-SystemWidth}  ";
            if (published && !toRequester)
            {
                _asked[record.MessageId!] = record.Time;
                output.WriteLine(line + $"asked     {record.Contract} v{record.Version}  id {record.MessageId}, trace {TraceId(record.TraceParent)}");
            }
            else if (!published && !toRequester)
            {
                output.WriteLine(line + $"answering id {record.MessageId} at {record.Destination}{(record.Reason is null ? string.Empty : $": {record.Reason}")}");
            }
            else if (published)
            {
                output.WriteLine(line + $"answered  {status}: {record.Contract} v{record.Version} to request {record.CorrelationId}, request hash {record.RequestHash![..12]}…");
            }
            else
            {
                var roundTrip = record.CorrelationId is { } id && _asked.TryGetValue(id, out var asked) ? record.Time - asked : TimeSpan.Zero;
                _answers.Add((status, roundTrip));
                output.WriteLine(line + $"got       {status} for request {record.CorrelationId} ({Ms(roundTrip)} after asking), hash checked");
            }
        }
    }

    /// <summary>Writes the summary of this run.</summary>
    public void WriteSummary()
    {
        lock (_gate)
        {
            var outcomes = _outcomes.Values.SelectMany(o => o).ToList();
            var handled = outcomes.Where(o => o.Outcome == MessageOutcome.Handled).ToList();
            var latencies = handled.Select(o => o.Time - _published[o.MessageId!].Time).Order().ToList();
            var early = latencies.Count(l => l < TimeSpan.Zero);
            var problems = new[] { MessageOutcome.RedeliveryScheduled, MessageOutcome.Duplicate, MessageOutcome.DeadLettered }
                .Select(kind => (Kind: kind, Count: outcomes.Count(o => o.Outcome == kind)))
                .Where(p => p.Count > 0)
                .Select(p => Invariant($"{p.Count} × {p.Kind}"))
                .ToList();

            output.WriteLine("Summary");
            var relayLatencies = _published.Values.Where(p => _enqueued.ContainsKey(p.MessageId!)).Select(p => p.Time - _enqueued[p.MessageId!]).Order().ToList();
            output.WriteLine(Invariant($"  enqueued   {_enqueued.Count} in the business transactions of {string.Join(", ", _published.Values.Select(p => p.System).Distinct())}, each with its record"));
            output.WriteLine($"  relayed    {CountBy(_published.Values, p => $"{p.Contract} v{p.Version}")}{(relayLatencies.Count > 0 ? $"; enqueue to confirm: median {Ms(relayLatencies[relayLatencies.Count / 2])}, max {Ms(relayLatencies[^1])}" : string.Empty)}");
            output.WriteLine(Invariant($"  handled    {_outcomes.Count(o => IsHandled(o.Value))} of {expectedMessages}: {CountBy(handled, o => o.Destination)}"));
            output.WriteLine($"  problems   {(problems.Count == 0 ? "none: no redelivery, duplicate or dead letter" : string.Join(", ", problems))}");
            if (latencies.Count > 0)
            {
                var parts = new List<string>();
                var afterConfirm = latencies[early..];
                if (afterConfirm.Count > 0)
                {
                    parts.Add($"median {Ms(afterConfirm[afterConfirm.Count / 2])}, max {Ms(afterConfirm[^1])}");
                }

                if (early > 0)
                {
                    parts.Add(Invariant($"{early} handled before the publisher's confirm arrived"));
                }

                output.WriteLine($"  latency    confirm to handled: {string.Join("; ", parts)}");
            }

            if (_answers.Count > 0)
            {
                var trips = _answers.Select(a => a.RoundTrip).Order().ToList();
                output.WriteLine(Invariant($"  queries    {_asked.Count} asked, answers {string.Join(", ", _answers.GroupBy(a => a.Status, StringComparer.Ordinal).Select(g => Invariant($"{g.Count()} × {g.Key}")))}; round trip median {Ms(trips[trips.Count / 2])}, max {Ms(trips[^1])}"));
            }

            if (_unmatched.Count > 0)
            {
                output.WriteLine(Invariant($"  earlier    {_unmatched.Count} message(s) left in the queues by earlier runs were handled as well, not counted above"));
            }
        }
    }

    /// <summary>Writes which expected messages were not handled: after a timeout.</summary>
    public void WriteMissing()
    {
        lock (_gate)
        {
            foreach (var (messageId, outcomes) in _outcomes.Where(o => !IsHandled(o.Value)))
            {
                var publication = _published[messageId];
                var last = outcomes.Count == 0 ? "never received" : $"last outcome: {outcomes[^1].Outcome}";
                output.WriteLine($"  not handled: {publication.Contract} v{publication.Version} id {messageId} ({last})");
            }

            foreach (var messageId in _enqueued.Keys.Where(id => !_published.ContainsKey(id)))
            {
                output.WriteLine($"  not relayed: id {messageId} (enqueued, still in the outbox)");
            }

            if (_enqueued.Count < expectedMessages)
            {
                output.WriteLine(Invariant($"  not enqueued: {expectedMessages - _enqueued.Count} of {expectedMessages} messages"));
            }
        }
    }

    private void Record(MessageRecord publication, MessageRecord outcome)
    {
        _outcomes[publication.MessageId!].Add(outcome);
        var line = $"{Clock(outcome.Time)}  {outcome.System,-SystemWidth}  ";
        var at = $"id {outcome.MessageId} at {outcome.Destination}";
        output.WriteLine(line + outcome.Outcome switch
        {
            MessageOutcome.Handled => $"handled   {at}  ({Latency(publication, outcome)}{(outcome.Attempts > 1 ? Invariant($", attempt {outcome.Attempts}") : string.Empty)})",
            MessageOutcome.Duplicate => $"duplicate {at}: already handled, dropped by the inbox",
            MessageOutcome.RedeliveryScheduled => Invariant($"retrying  {at}: failed {outcome.Attempts} attempt(s), redelivery scheduled"),
            MessageOutcome.DeadLettered => Invariant($"FAILED    {at}: moved to {BusNames.ErrorQueue(outcome.Destination)} ({outcome.Reason}) after {outcome.Attempts} attempt(s)"),
            _ => $"{outcome.Outcome} {at}",
        });

        if (outcome.Outcome == MessageOutcome.DeadLettered)
        {
            _completion.TrySetResult(false);
        }
    }

    private void CheckCompletion()
    {
        if (_published.Count >= expectedMessages && _outcomes.Values.Count(IsHandled) >= expectedMessages)
        {
            _completion.TrySetResult(true);
        }
    }

    // A duplicate means an earlier delivery of the same message was handled: the message arrived.
    private static bool IsHandled(List<MessageRecord> outcomes) =>
        outcomes.Exists(o => o.Outcome is MessageOutcome.Handled or MessageOutcome.Duplicate);

    // The bus reports a publish once the broker confirmed it, and a receiver may finish first: the confirm
    // travels back to the sender while the message is already being delivered.
    private static string Latency(MessageRecord publication, MessageRecord outcome)
    {
        var latency = outcome.Time - publication.Time;
        return latency >= TimeSpan.Zero
            ? $"{Ms(latency)} after relay"
            : $"{Ms(latency.Negate())} before the publisher's confirm arrived";
    }

    private static string CountBy(IEnumerable<MessageRecord> records, Func<MessageRecord, string> key) =>
        string.Join(", ", records.GroupBy(key, StringComparer.Ordinal).Select(g => Invariant($"{g.Count()} × {g.Key}")));

    private void Progress() => Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());

    // Both population contracts carry the citizen's IIN at the top level of their JSON body.
    private static string? IinOf(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("iin", out var iin) && iin.ValueKind == JsonValueKind.String ? iin.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Clock(DateTimeOffset time) => time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan duration) => Invariant($"{duration.TotalMilliseconds:0.0} ms");

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    // The W3C trace id (the second field of traceparent): search for it in Jaeger to see the whole journey.
    private static string TraceId(string? traceParent) =>
        traceParent is { Length: >= 35 } && traceParent[2] == '-' ? traceParent[3..35] : "-";
}
