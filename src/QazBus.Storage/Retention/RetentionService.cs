using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Storage.Configuration;
using QazBus.Storage.Inbox;
using QazBus.Storage.Outbox;
using QazBus.Storage.Schema;

namespace QazBus.Storage.Retention;

/// <summary>
/// Deletes outbox rows sent longer ago than <see cref="OutboxOptions.SentRetention"/> and inbox rows older than
/// <see cref="InboxOptions.Retention"/>, every <see cref="StorageOptions.CleanupInterval"/>, in chunks that keep
/// transactions short. Several processes may run it on one database; deletes are idempotent.
/// </summary>
internal sealed partial class RetentionService(
    OutboxStore outbox,
    InboxStore inbox,
    SchemaGate schema,
    IOptions<StorageOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    private const int Chunk = 5000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        try
        {
            await Task.Yield();
            await schema.EnsureAsync(stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(settings.CleanupInterval, time);
            do
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>One pass: deletes what has expired; returns how many rows of each table.</summary>
    internal async Task<(int Outbox, int Inbox)> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        int sent = 0, handled = 0;
        try
        {
            int deleted;
            do
            {
                deleted = await outbox.DeleteSentAsync(now - settings.Outbox.SentRetention, Chunk, cancellationToken).ConfigureAwait(false);
                sent += deleted;
            }
            while (deleted == Chunk);

            do
            {
                deleted = await inbox.DeleteOlderAsync(now - settings.Inbox.Retention, Chunk, cancellationToken).ConfigureAwait(false);
                handled += deleted;
            }
            while (deleted == Chunk);

            if (sent + handled > 0)
            {
                LogDeleted(logger, sent, handled);
            }
        }
        catch (DbException ex)
        {
            LogFailed(logger, ex); // the next pass tries again
        }

        return (sent, handled);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Storage retention deleted {Outbox} sent outbox rows and {Inbox} inbox rows")]
    private static partial void LogDeleted(ILogger logger, int outbox, int inbox);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage retention failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
