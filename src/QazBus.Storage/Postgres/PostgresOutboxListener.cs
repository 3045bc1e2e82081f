using Microsoft.Extensions.Logging;
using Npgsql;
using QazBus.Storage.Database;
using QazBus.Storage.Outbox;

namespace QazBus.Storage.Postgres;

/// <summary>
/// Wakes the relay when a transaction that enqueued commits: LISTENs on the outbox's channel on one dedicated
/// connection. When that connection breaks, it reconnects with backoff; polling covers the gap.
/// </summary>
internal static partial class PostgresOutboxListener
{
    public static async Task RunAsync(StorageDatabase database, OutboxSignal signal, ILogger logger, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = (NpgsqlConnection)await database.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += (_, _) => signal.Notify();
                await using (var listen = new NpgsqlCommand($"LISTEN {database.Names.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                delay = TimeSpan.FromSeconds(1);
                signal.Notify(); // rows may have been committed while nobody listened
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogListenFailed(logger, ex, database.Names.NotifyChannel, delay);
                try
                {
                    await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay: LISTEN {Channel} failed; polling until it reconnects in {Delay}")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, string channel, TimeSpan delay);
}
