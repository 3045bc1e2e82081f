using System.Data.Common;
using QazBus.Publishing;

namespace QazBus.Storage.Outbox;

/// <summary>
/// The transactional outbox: enqueues a contract in the caller's own database transaction, so the message is
/// published if and only if the business change commits. The relay (a hosted service) publishes committed rows
/// with publisher confirms; consumers see each message at least once and drop repeats in their inbox.
/// </summary>
/// <example>
/// <code>
/// await using var transaction = await connection.BeginTransactionAsync(ct);
/// await connection.ExecuteAsync("insert into citizen …", citizen, transaction);       // the business change
/// await outbox.EnqueueAsync(transaction, new CitizenRegisteredV2 { … }, orderingKey: citizen.Iin, cancellationToken: ct);
/// await transaction.CommitAsync(ct);                                                  // both, or neither
/// </code>
/// With EF Core: <c>dbContext.Database.CurrentTransaction!.GetDbTransaction()</c>.
/// </example>
public interface IOutbox
{
    /// <summary>
    /// Checks <paramref name="message"/> and builds its wire message exactly as a direct publish would (ownership,
    /// deprecation, contract rules, CloudEvents headers, trace context), then inserts it into the outbox table
    /// within <paramref name="transaction"/>. Nothing is sent before the transaction commits; nothing is sent if it rolls back.
    /// </summary>
    /// <typeparam name="TContract">A record marked with <see cref="Contracts.ContractAttribute"/>.</typeparam>
    /// <param name="transaction">
    /// The caller's open transaction on the storage database (an <c>NpgsqlTransaction</c> for PostgreSQL, a
    /// <c>SqliteTransaction</c> for SQLite).
    /// </param>
    /// <param name="message">The contract instance.</param>
    /// <param name="options">Optional message id, correlation id and time.</param>
    /// <param name="orderingKey">
    /// Messages with the same key (for example a citizen's IIN) are published in the order their transactions
    /// enqueued them, one after another; messages without a key are published in parallel. Default: none.
    /// </param>
    /// <param name="cancellationToken">Cancels the insert.</param>
    /// <returns>The CloudEvents id of the message.</returns>
    /// <exception cref="ArgumentException">The transaction is finished or belongs to another kind of database.</exception>
    /// <exception cref="InvalidOperationException">This system may not publish the contract, or the storage schema is not created yet (start the host first).</exception>
    Task<string> EnqueueAsync<TContract>(
        DbTransaction transaction,
        TContract message,
        PublishOptions? options = null,
        string? orderingKey = null,
        CancellationToken cancellationToken = default)
        where TContract : class;
}
