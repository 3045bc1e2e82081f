using QazBus.Pipeline;

namespace QazBus.MassTransit.Consuming;

/// <summary>
/// The last step of the SDK's consume pipeline on a MassTransit endpoint, in place of the SDK's handler step: it hands
/// the checked, upcast contract to MassTransit, which deserializes it (as exactly that type) and runs its consumer.
/// A consumer's exception comes back out of here, so the SDK's recoverability step decides on it.
/// </summary>
internal sealed class MassTransitDispatchStep : IReceiveStep
{
    public Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        var delivery = QazBusDelivery.Of(context.Message);
        delivery.Contract = context.Contract;
        delivery.ContractType = context.Route!.HandlerContract.ClrType;
        return delivery.Next.Send(delivery.Receive);
    }
}
