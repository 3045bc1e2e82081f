using System.Runtime.CompilerServices;
using QazBus.Transport;
using MtReceiveContext = MassTransit.ReceiveContext;

namespace QazBus.MassTransit.Consuming;

/// <summary>
/// One MassTransit delivery on its way through the SDK's consume pipeline: what the pipeline's last step needs to hand
/// the checked contract back to MassTransit (its receive context and the rest of its receive pipe), and what the
/// deserializer then reads (the contract, upcast, and the CLR type its consumer takes).
/// </summary>
internal sealed class QazBusDelivery(MtReceiveContext receive, global::MassTransit.IPipe<MtReceiveContext> next)
{
    // Keyed by the SDK's message object, which the pipeline passes from step to step unchanged.
    private static readonly ConditionalWeakTable<TransportMessage, QazBusDelivery> ByMessage = new();

    public MtReceiveContext Receive { get; } = receive;

    public global::MassTransit.IPipe<MtReceiveContext> Next { get; } = next;

    /// <summary>The checked and upcast contract; set by the dispatch step before MassTransit deserializes.</summary>
    public object? Contract { get; set; }

    /// <summary>The contract type the consumer takes (the newest version when upcast).</summary>
    public Type? ContractType { get; set; }

    public void Attach(TransportMessage message) => ByMessage.AddOrUpdate(message, this);

    public static QazBusDelivery Of(TransportMessage message) =>
        ByMessage.TryGetValue(message, out var delivery) ? delivery
            : throw new InvalidOperationException("The message did not come through the QazBus receive filter.");
}
