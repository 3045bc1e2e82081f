using Microsoft.Extensions.Logging;
using QazBus.Storage.Database;
using TaxOffice.Population;

namespace TaxOffice.Taxpayers;

/// <summary>
/// A person applies at the tax office to be registered as a taxpayer: before it opens the record, the tax office asks
/// the population registry for the citizen's card (the query <c>mju.population.citizen-by-iin</c>) and takes the
/// name from it. No card (<c>no-data</c>), no record.
/// </summary>
/// <remarks>
/// The question is asked before the record's transaction begins, so no database lock is held while the registry
/// answers (on SQLite a held write lock would also stop the message log from recording the question and answer).
/// </remarks>
public sealed partial class TaxpayerApplications(CitizenCards registry, TaxpayerRegister register, StorageDatabase storage, ILogger<TaxpayerApplications> logger)
{
    /// <summary>Handles one application; returns what it did to the register, or null when the registry has no such citizen.</summary>
    /// <exception cref="QazBus.Queries.QueryRejectedException">The registry refused or failed to answer.</exception>
    /// <exception cref="QazBus.Queries.QueryTimeoutException">The registry did not answer in time.</exception>
    public async Task<RecordOutcome?> ApplyAsync(string iin, CancellationToken cancellationToken)
    {
        var card = await registry.FindAsync(iin, cancellationToken);
        if (card is null)
        {
            LogRefused(logger, new MaskedIin(iin));
            return null;
        }

        await using var connection = await storage.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var outcome = await register.RecordCitizenAsync(transaction, card.Iin, card.LastName, card.FirstName, card.Patronymic, card.BirthDate, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogOpened(logger, new MaskedIin(iin), outcome);
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Taxpayer application {Iin}: the population registry has no such citizen; no record opened")]
    private static partial void LogRefused(ILogger logger, MaskedIin iin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Taxpayer application {Iin}: record {Outcome} from the registry's citizen card")]
    private static partial void LogOpened(ILogger logger, MaskedIin iin, RecordOutcome outcome);
}
