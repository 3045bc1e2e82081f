namespace QazBus.Pipeline.Steps;

/// <summary>Calls the handler of the route with the (upcast) contract, resolved from the attempt's scope.</summary>
internal sealed class HandlerStep : IReceiveStep
{
    public Task InvokeAsync(ReceiveContext context, ReceiveNext next) =>
        context.Route!.Invoke(context.Services!, context.Contract!, context.MessageContext!, context.CancellationToken);
}
