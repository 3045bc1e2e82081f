using QazBus.Wire;

namespace QazBus.Pipeline.Steps;

/// <summary>
/// Reads the body as the contract version it claims to be, checks the contract's rules (<see cref="ContractBody"/>),
/// and upcasts it to the handler's version.
/// </summary>
internal sealed class BodyStep : IReceiveStep
{
    public Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        var route = context.Route!;
        context.Contract = route.Upcast(ContractBody.Read(context.Message.Body.Span, route.WireContract));
        return next(context);
    }
}
