namespace QazBus.Pipeline;

/// <summary>
/// One step of the consume pipeline, with one concern. It does its part and calls <c>next</c>, or throws a
/// <see cref="MessageRejectedException"/> when the message is bad; it never decides what happens to a failed message
/// (that is <see cref="Recoverability.RecoverabilityPolicy"/>'s decision, carried out by one step).
/// </summary>
internal interface IReceiveStep
{
    Task InvokeAsync(ReceiveContext context, ReceiveNext next);
}

/// <summary>The rest of the pipeline after a step.</summary>
internal delegate Task ReceiveNext(ReceiveContext context);
