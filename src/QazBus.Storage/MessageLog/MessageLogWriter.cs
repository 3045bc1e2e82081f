using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Observation;
using QazBus.Storage.Configuration;
using QazBus.Storage.Schema;

namespace QazBus.Storage.MessageLog;

/// <summary>
/// The message log as a message observer: records every message this system sends or receives. Appends are
/// group-committed: records that arrive together (a relay batch, parallel consumers) are chained and stored in one
/// transaction by one writer, and each caller returns once its record is committed. A failed append fails the
/// callers, so the publish or consume is retried rather than left unrecorded.
/// </summary>
internal sealed partial class MessageLogWriter : IMessageObserver, IAsyncDisposable
{
    private const int MaxBatch = 1000;

    private readonly MessageLogStore _store;
    private readonly SchemaGate _schema;
    private readonly MessageLogOptions _options;
    private readonly HashSet<string> _metadataOnly;
    private readonly bool _allMetadataOnly;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private Task? _writer;

    public MessageLogWriter(MessageLogStore store, SchemaGate schema, IOptions<StorageOptions> options, ILogger<MessageLogWriter> logger)
    {
        _store = store;
        _schema = schema;
        _options = options.Value.MessageLog;
        _metadataOnly = new HashSet<string>(_options.MetadataOnly, StringComparer.Ordinal);
        _allMetadataOnly = _metadataOnly.Contains("*");
        _logger = logger;
    }

    public ValueTask OnPublishedAsync(MessageRecord record, CancellationToken cancellationToken) => AppendAsync(record, cancellationToken);

    public ValueTask OnConsumedAsync(MessageRecord record, CancellationToken cancellationToken) => AppendAsync(record, cancellationToken);

    private ValueTask AppendAsync(MessageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_options.Enabled)
        {
            return ValueTask.CompletedTask;
        }

        EnsureWriter();
        var pending = new Pending(ToRow(record), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(MessageLogWriter), "The message log is shut down.");
        }

        // The record is committed even if this caller stops waiting.
        return new ValueTask(pending.Done.Task.WaitAsync(cancellationToken));
    }

    // Sequence and hashes are set when the row is chained, in the append's transaction.
    private MessageLogEntry ToRow(MessageRecord record)
    {
        var logged = !(_allMetadataOnly || (record.Contract is not null && _metadataOnly.Contains(record.Contract)));
        return new MessageLogEntry
        {
            Sequence = 0,
            PreviousHash = string.Empty,
            Hash = string.Empty,
            Time = Database.StorageDialect.ToMicroseconds(record.Time),
            System = record.System,
            Outcome = record.Outcome.ToString(),
            MessageId = record.MessageId,
            Contract = record.Contract,
            Version = record.Version,
            Source = record.Source,
            Destination = record.Destination,
            CorrelationId = record.CorrelationId,
            TraceParent = record.TraceParent,
            Reason = record.Reason,
            Attempts = record.Attempts,
            RequestHash = record.RequestHash,
            PayloadHash = Convert.ToHexStringLower(SHA256.HashData(record.Body.Span)),
            PayloadLogged = logged,
            Payload = logged ? record.Body.ToArray() : (ReadOnlyMemory<byte>?)null, // a bare null would convert to an empty payload
        };
    }

    private void EnsureWriter()
    {
        if (_writer is not null)
        {
            return;
        }

        lock (_gate)
        {
            _writer ??= Task.Run(WriteAsync);
        }
    }

    private async Task WriteAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(MaxBatch);
        var rows = new List<MessageLogEntry>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            rows.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                rows.Add(pending.Row);
            }

            try
            {
                await _schema.EnsureAsync(CancellationToken.None).ConfigureAwait(false);
                await _store.AppendAsync(rows, CancellationToken.None).ConfigureAwait(false);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }
            }
#pragma warning disable CA1031 // Every failure goes back to the callers waiting for their record.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogAppendFailed(_logger, ex, batch.Count);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }
    }

    private sealed record Pending(MessageLogEntry Row, TaskCompletionSource Done);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message log: {Count} records could not be appended; their messages are retried")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, int count);
}
