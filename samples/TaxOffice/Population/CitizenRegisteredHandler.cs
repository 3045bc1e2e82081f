using Microsoft.Extensions.Logging;
using QazBus.Contracts.Population;
using QazBus.Handling;
using QazBus.Storage.Inbox;
using TaxOffice.Taxpayers;

namespace TaxOffice.Population;

/// <summary>A citizen registered by the population registry becomes a taxpayer of the tax office.</summary>
/// <remarks>
/// Handles v2, the current version. Senders still on the deprecated v1 reach it too: the bus binds
/// this endpoint to v1's exchange as well and upcasts each v1 message (splitting the full name) before it gets here.
/// <para>
/// When the legacy taxpayer card system is configured, a new taxpayer also gets a card there
/// (<see cref="TaxpayerCardClient"/>, null when it is not). A failed call throws and rolls back the row, and the
/// message is redelivered; the card system upserts by IIN, so the repeat is harmless.
/// </para>
/// </remarks>
internal sealed partial class CitizenRegisteredHandler(TaxpayerRegister register, IInboxTransaction inbox, ILogger<CitizenRegisteredHandler> logger, TaxpayerCardClient? cards = null)
    : IContractHandler<CitizenRegisteredV2>
{
    public async Task HandleAsync(CitizenRegisteredV2 message, MessageContext context, CancellationToken cancellationToken)
    {
        // In the inbox's transaction: the taxpayer row commits with the inbox row, or neither does.
        var outcome = await register.RecordCitizenAsync(inbox.Transaction, message.Iin, message.LastName, message.FirstName, message.Patronymic, message.BirthDate, cancellationToken);
        if (cards is not null && outcome == RecordOutcome.Added)
        {
            await cards.OpenCardAsync(message.Iin, message.LastName, message.FirstName, message.Patronymic, message.BirthDate, cancellationToken);
        }

        LogRegistrationRecorded(logger, new MaskedIin(message.Iin), outcome, context.Source, context.Contract, context.Version, context.MessageId, context.CorrelationId ?? "(none)");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Taxpayer {Iin}: registration {Outcome} (from {Source}, {Contract} v{Version}, message {MessageId}, case {CaseNumber})")]
    private static partial void LogRegistrationRecorded(ILogger logger, MaskedIin iin, RecordOutcome outcome, string source, string contract, int version, string messageId, string caseNumber);
}
