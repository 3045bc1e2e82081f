using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using QazBus.Contracts;
using QazBus.Publishing;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;
using QazBus.Storage.Schema;
using QazBus.Telemetry;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Storage.Outbox;

/// <summary>
/// Publishes committed outbox rows: claims a batch, publishes it through <see cref="MessageDispatcher"/> with many
/// confirms in flight at once (rows of one ordering key one after another), marks the confirmed rows sent in one
/// statement, and looks again at once while rows keep coming. Idle, it waits for a wake-up (PostgreSQL NOTIFY, an
/// enqueue in this process) or the poll interval. When the broker or the database is away, a Polly retry pipeline
/// backs off and resumes; rows stay in the table meanwhile, so nothing is dropped.
/// </summary>
internal sealed partial class OutboxRelay : BackgroundService
{
    private static readonly TimeSpan FirstFastPoll = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan LastFastPoll = TimeSpan.FromMilliseconds(100);

    private readonly OutboxStore _store;
    private readonly MessageDispatcher _dispatcher;
    private readonly ContractTypes _contracts;
    private readonly SchemaGate _schema;
    private readonly OutboxSignal _signal;
    private readonly StorageDatabase _database;
    private readonly RelayOptions _options;
    private readonly OutboxRelayHooks? _hooks;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;

    public OutboxRelay(
        OutboxStore store,
        MessageDispatcher dispatcher,
        ContractTypes contracts,
        SchemaGate schema,
        OutboxSignal signal,
        StorageDatabase database,
        IOptions<StorageOptions> options,
        IServiceProvider services,
        ILogger<OutboxRelay> logger)
    {
        _store = store;
        _dispatcher = dispatcher;
        _contracts = contracts;
        _schema = schema;
        _signal = signal;
        _database = database;
        _options = options.Value.Relay;
        _hooks = (OutboxRelayHooks?)services.GetService(typeof(OutboxRelayHooks));
        _logger = logger;

        // The broker (or the database) is away: wait longer and longer, up to MaxBackoff, and try again, for as
        // long as it takes. Rows are never dropped; they wait in the table.
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = _options.MaxBackoff,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                OnRetry = args =>
                {
                    LogBackingOff(_logger, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return default;
                },
            })
            .Build();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await Task.Yield(); // let the host go on starting
        await _schema.EnsureAsync(stoppingToken).ConfigureAwait(false);
        var listener = _database.Dialect.WatchOutboxAsync(_database, _signal, _logger, stoppingToken);

        var fastPoll = TimeSpan.Zero;
        var fastPollUntil = 0L;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var claimed = await _pipeline.ExecuteAsync(static (relay, token) => new ValueTask<int>(relay.RelayBatchAsync(token)), this, stoppingToken).ConfigureAwait(false);
                if (claimed >= _options.BatchSize)
                {
                    continue; // more are waiting
                }

                if (claimed == 0 && Stopwatch.GetTimestamp() < fastPollUntil)
                {
                    // SQLite: an enqueue in this process woke us before its transaction committed. Look again
                    // shortly, a little later each time, until the row shows or a poll interval has passed.
                    await Task.Delay(fastPoll, stoppingToken).ConfigureAwait(false);
                    fastPoll = fastPoll * 2 > LastFastPoll ? LastFastPoll : fastPoll * 2;
                    continue;
                }

                fastPollUntil = 0;
                await _signal.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                if (_signal.TakeNudge())
                {
                    fastPoll = FirstFastPoll;
                    fastPollUntil = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * _options.PollInterval.TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            await listener.ConfigureAwait(false);
        }
    }

    /// <summary>Claims, publishes and completes one batch; returns how many rows were claimed.</summary>
    internal async Task<int> RelayBatchAsync(CancellationToken stoppingToken)
    {
        var claim = await _store.ClaimAsync(_options.BatchSize, stoppingToken).ConfigureAwait(false);
        await using (claim.ConfigureAwait(false))
        {
            var messages = claim.Messages;
            if (messages.Count == 0)
            {
                return 0;
            }

            var results = new PublishResult[messages.Count];
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                timeout.CancelAfter(_options.PublishTimeout);
                await PublishAllAsync(messages, results, timeout.Token, stoppingToken).ConfigureAwait(false);
            }

            if (_hooks?.AfterPublish is { } afterPublish)
            {
                await afterPublish([.. messages.Select(m => m.MessageId)]).ConfigureAwait(false);
            }

            var failed = results.Count(r => r.State == PublishState.Failed);
            var outage = failed == messages.Count;

            // Marking must not be skipped because the host is stopping: the rows were confirmed.
            await claim.CompleteAsync(results, outage, CancellationToken.None).ConfigureAwait(false);
            if (failed > 0)
            {
                var error = results.First(r => r.State == PublishState.Failed).Error;
                if (outage && !stoppingToken.IsCancellationRequested)
                {
                    throw new OutboxRelayException($"None of {messages.Count} outbox messages could be published: {error}");
                }

                LogSomeFailed(_logger, failed, messages.Count, error);
            }

            return messages.Count;
        }
    }

    // Rows without a key go out all at once (many confirms in flight on the channel); rows of one key go out one
    // after another, each after the previous one's confirm, and stop at the first failure so none overtakes it.
    private async Task PublishAllAsync(IReadOnlyList<OutboxMessage> messages, PublishResult[] results, CancellationToken cancellationToken, CancellationToken stoppingToken)
    {
        var tasks = new List<Task>(messages.Count);
        Dictionary<string, List<int>>? keyed = null;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].OrderingKey is { } key)
            {
                keyed ??= new Dictionary<string, List<int>>(StringComparer.Ordinal);
                if (!keyed.TryGetValue(key, out var indexes))
                {
                    keyed[key] = indexes = [];
                }

                indexes.Add(i);
            }
            else
            {
                tasks.Add(PublishOneAsync(messages, results, i, cancellationToken, stoppingToken));
            }
        }

        if (keyed is not null)
        {
            foreach (var indexes in keyed.Values)
            {
                tasks.Add(PublishInOrderAsync(messages, results, indexes, cancellationToken, stoppingToken));
            }
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task PublishInOrderAsync(IReadOnlyList<OutboxMessage> messages, PublishResult[] results, List<int> indexes, CancellationToken cancellationToken, CancellationToken stoppingToken)
    {
        foreach (var i in indexes)
        {
            await PublishOneAsync(messages, results, i, cancellationToken, stoppingToken).ConfigureAwait(false);
            if (results[i].State != PublishState.Sent)
            {
                return; // the rest stay Released and wait behind this one
            }
        }
    }

    private async Task PublishOneAsync(IReadOnlyList<OutboxMessage> messages, PublishResult[] results, int index, CancellationToken cancellationToken, CancellationToken stoppingToken)
    {
        var row = messages[index];
        Activity? activity = null;
        try
        {
            var contract = _contracts.Resolve(row.Contract, row.Version);
            var message = row.ToTransportMessage();
            activity = StartActivity(contract, row, message);
            await _dispatcher.SendAsync(new OutgoingMessage(contract, message), cancellationToken).ConfigureAwait(false);
            results[index] = PublishResult.Sent;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            results[index] = PublishResult.Released; // stopping: not a failure of this row
        }
#pragma warning disable CA1031 // Any failure of one row is recorded on the row; the batch goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var error = ex is OperationCanceledException
                ? $"no broker confirm within {StorageOptions.SectionName}:Relay:PublishTimeout ({_options.PublishTimeout})"
                : $"{ex.GetType().Name}: {ex.Message}";
            results[index] = new PublishResult(PublishState.Failed, error);
            activity?.SetStatus(ActivityStatusCode.Error, error);
        }
        finally
        {
            activity?.Dispose();
        }
    }

    // The relay's publish span is a child of the span that enqueued the row (stored traceparent): one trace from
    // the business transaction through the relay to every consumer, even across a restart of the process.
    private static Activity? StartActivity(ContractDescriptor contract, OutboxMessage row, TransportMessage message)
    {
        ActivityContext.TryParse(row.TraceParent, message.GetHeader(WireHeaders.TraceState), isRemote: true, out var parent);
        var activity = QazBusDiagnostics.ActivitySource.StartActivity($"{contract.Exchange} publish", ActivityKind.Producer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "rabbitmq");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", "publish");
            activity.SetTag("messaging.destination.name", contract.Exchange);
            activity.SetTag("messaging.message.id", row.MessageId);
            activity.SetTag("qazbus.contract.name", contract.Name);
            activity.SetTag("qazbus.contract.version", contract.MajorVersion);
            activity.SetTag("qazbus.source", row.AppId);
            activity.SetTag("qazbus.outbox.attempt", row.Attempts + 1);
        }

        return activity;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay: pausing {Delay} before attempt {Attempt} (rows wait in the outbox): {Reason}")]
    private static partial void LogBackingOff(ILogger logger, int attempt, TimeSpan delay, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay: {Failed} of {Count} messages failed and will be tried again: {Error}")]
    private static partial void LogSomeFailed(ILogger logger, int failed, int count, string? error);
}

/// <summary>No message of a batch could be published: the broker is away. The relay backs off and tries again.</summary>
public sealed class OutboxRelayException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OutboxRelayException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OutboxRelayException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public OutboxRelayException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
