namespace QazBus.Handling;

/// <summary>
/// Handles one contract at one endpoint. Register it with <c>AddHandler&lt;TContract, THandler&gt;(endpoint)</c>.
/// </summary>
/// <remarks>
/// A handler is resolved from a new DI scope per message. Returning normally acknowledges the message;
/// throwing hands it to the retry policy and, when retries are spent, to the endpoint's error queue.
/// Delivery is at least once: the same message can arrive again after a crash, so effects must be idempotent
/// or guarded by the inbox.
/// </remarks>
/// <typeparam name="TContract">A record marked with <see cref="Contracts.ContractAttribute"/>.</typeparam>
public interface IContractHandler<in TContract>
    where TContract : class
{
    /// <summary>Handles one message.</summary>
    /// <param name="message">The contract, already checked and deserialized.</param>
    /// <param name="context">Who sent it, when, which contract version, and the attempt number.</param>
    /// <param name="cancellationToken">Signalled when the host stops.</param>
    Task HandleAsync(TContract message, MessageContext context, CancellationToken cancellationToken);
}
