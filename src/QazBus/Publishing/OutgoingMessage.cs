using QazBus.Contracts;
using QazBus.Transport;

namespace QazBus.Publishing;

/// <summary>A contract turned into its wire form, ready to publish now or to store in an outbox and publish later.</summary>
/// <param name="Contract">The contract version.</param>
/// <param name="Message">Body, CloudEvents headers and AMQP properties.</param>
internal sealed record OutgoingMessage(ContractDescriptor Contract, TransportMessage Message)
{
    /// <summary>The exchange to publish to: <c>{contract}.v{major}</c>.</summary>
    public string Exchange => Contract.Exchange;

    /// <summary>The CloudEvents id.</summary>
    public string MessageId => Message.MessageId!;
}
