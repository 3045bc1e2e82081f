using System.Globalization;
using Microsoft.Extensions.Logging;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.Storage.Outbox;

namespace PopulationRegistry.Register;

/// <summary>
/// The registry's records of citizens (the <c>citizens</c> table) and the events it announces on the bus when
/// they change.
/// </summary>
/// <remarks>
/// Why the outbox rather than publishing directly: written first and published after, a crash in between would
/// lose the event; published first, a rollback would announce a change that never happened. So each change and
/// its event are written in one database transaction (the citizen row and the outbox row): both commit, or
/// neither. The QazBus relay, a hosted service, publishes committed outbox rows with publisher confirms.
/// </remarks>
internal sealed partial class PopulationRegister(
    RegistryDatabase database,
    IOutbox outbox,
    TimeProvider time,
    ILogger<PopulationRegister> logger)
{
    private int _lastCaseNumber;

    /// <summary>Registers a citizen and, in the same transaction, enqueues <see cref="CitizenRegisteredV2"/>.</summary>
    /// <remarks>
    /// v2 is the current version of <c>mju.population.citizen-registered</c>; v1 is deprecated, and publishing it
    /// fails after its sunset date. Subscribers move first: a v2 handler receives v1 too (the bus upcasts it),
    /// while a v1 handler never sees v2, so the registry switches once its subscribers handle v2.
    /// </remarks>
    /// <returns>False when the IIN is already registered: nothing is written or announced.</returns>
    public async Task<bool> RegisterAsync(Citizen citizen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        var now = time.GetUtcNow();
        #region snippet_outbox_enqueue
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await CitizenTable.TryInsertAsync(database, transaction, citizen, now, cancellationToken))
        {
            return false; // rolled back when disposed
        }

        var caseNumber = NextCaseNumber(now);
        var messageId = await outbox.EnqueueAsync(
            transaction,
            new CitizenRegisteredV2
            {
                Iin = citizen.Iin,
                LastName = citizen.LastName,
                FirstName = citizen.FirstName,
                Patronymic = citizen.Patronymic,
                BirthDate = citizen.BirthDate,
                RegisteredAt = now,
            },
            new PublishOptions { CorrelationId = caseNumber },
            orderingKey: citizen.Iin, // one citizen's events leave in the order they happened
            cancellationToken);
        await transaction.CommitAsync(cancellationToken); // the citizen row and the message commit together, or neither does
        #endregion
        LogRegistered(logger, caseNumber, citizen.Address.Region, messageId);
        return true;
    }

    /// <summary>
    /// Records that a citizen moved and, in the same transaction, enqueues <see cref="AddressChanged"/>. Nothing is
    /// written or announced when the address is the one already registered: subscribers hear of changes only.
    /// </summary>
    /// <returns>True when the address changed and the event was enqueued.</returns>
    /// <exception cref="KeyNotFoundException">No citizen has this IIN.</exception>
    public async Task<bool> ChangeAddressAsync(string iin, Address newAddress, DateOnly validFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newAddress);
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await CitizenTable.AddressForUpdateAsync(database, transaction, iin, cancellationToken) == newAddress)
        {
            return false;
        }

        await CitizenTable.UpdateAddressAsync(database, transaction, iin, newAddress, now, cancellationToken);
        var caseNumber = NextCaseNumber(now);
        var messageId = await outbox.EnqueueAsync(
            transaction,
            new AddressChanged { Iin = iin, NewAddress = newAddress, ValidFrom = validFrom },
            new PublishOptions { CorrelationId = caseNumber },
            orderingKey: iin,
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogAddressChanged(logger, caseNumber, newAddress.Region, messageId);
        return true;
    }

    /// <summary>The registered address of a citizen.</summary>
    /// <exception cref="KeyNotFoundException">No citizen has this IIN.</exception>
    public async Task<Address> AddressOfAsync(string iin, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        return await CitizenTable.AddressForUpdateAsync(database, transaction, iin, cancellationToken);
    }

    /// <summary>The citizen card of <paramref name="iin"/>, or null when no citizen has this IIN: what the registry answers to a query.</summary>
    public async Task<CitizenCard?> CardOfAsync(string iin, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        return await CitizenTable.CardAsync(database, transaction, iin, cancellationToken);
    }

    // The correlation id is the registry's case number, so operators can follow one case across agencies
    // without putting personal data (the IIN) into message properties.
    private string NextCaseNumber(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"PR-{now:yyyyMMdd}-{Interlocked.Increment(ref _lastCaseNumber):D6}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseNumber}: citizen registered in {Region}; CitizenRegisteredV2 {MessageId} committed to the outbox with the record")]
    private static partial void LogRegistered(ILogger logger, string caseNumber, string region, string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseNumber}: citizen moved to {Region}; AddressChanged {MessageId} committed to the outbox with the record")]
    private static partial void LogAddressChanged(ILogger logger, string caseNumber, string region, string messageId);
}
