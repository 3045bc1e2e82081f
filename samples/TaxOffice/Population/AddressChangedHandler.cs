using Microsoft.Extensions.Logging;
using QazBus.Contracts.Population;
using QazBus.Handling;
using QazBus.Storage.Inbox;
using TaxOffice.Taxpayers;

namespace TaxOffice.Population;

#region snippet_inbox_handler
/// <summary>A citizen's new address decides which regional revenue department serves them as a taxpayer.</summary>
/// <remarks>
/// The contract carries only the day the address is valid from; the message's CloudEvents time (when the registry
/// recorded the change) orders two changes valid from the same day, whatever order they arrive in.
/// </remarks>
internal sealed partial class AddressChangedHandler(TaxpayerRegister register, IInboxTransaction inbox, ILogger<AddressChangedHandler> logger)
    : IContractHandler<AddressChanged>
{
    public async Task HandleAsync(AddressChanged message, MessageContext context, CancellationToken cancellationToken)
    {
        // In the inbox's transaction: the taxpayer row commits with the inbox row, or neither does.
        var outcome = await register.RecordAddressAsync(inbox.Transaction, message.Iin, message.NewAddress, message.ValidFrom, context.Time, cancellationToken);
        LogAddressRecorded(logger, new MaskedIin(message.Iin), message.NewAddress.Region, message.ValidFrom, outcome, context.Source, context.MessageId, context.CorrelationId ?? "(none)");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Taxpayer {Iin}: address in {Region} valid from {ValidFrom:yyyy-MM-dd} {Outcome} (from {Source}, message {MessageId}, case {CaseNumber})")]
    private static partial void LogAddressRecorded(ILogger logger, MaskedIin iin, string region, DateOnly validFrom, RecordOutcome outcome, string source, string messageId, string caseNumber);
}
#endregion
