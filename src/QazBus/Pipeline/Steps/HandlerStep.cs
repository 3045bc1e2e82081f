namespace QazBus.Pipeline.Steps;

/// <summary>Calls the handler of the route with the (upcast) contract, resolved from the attempt's scope; a query's route answers it.</summary>
internal sealed class HandlerStep : IReceiveStep
{
    public Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        var route = context.Route!;
        return route.Handle is { } handle
            ? handle(context)
            : route.Invoke(context.Services!, context.Contract!, context.MessageContext!, context.CancellationToken);
    }
}
