using QazBus.Contracts;
using QazBus.Naming;

namespace QazBus.Pipeline.Steps;

/// <summary>Finds the handler route for the message's contract and version, and checks that its sender's agency owns the contract.</summary>
internal sealed class ContractStep(DeprecationPolicy deprecation) : IReceiveStep
{
    public Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        var envelope = context.Envelope!;
        var endpoint = context.Endpoint;
        if (!endpoint.HandlesContract(envelope.Type))
        {
            throw new MessageRejectedException(RejectReason.UnknownContract,
                $"Endpoint '{endpoint.Queue}' has no handler for contract '{envelope.Type}'.");
        }

        if (!endpoint.TryGetRoute(envelope.Type, envelope.Version, out var route))
        {
            throw new MessageRejectedException(RejectReason.UnknownVersion,
                $"Endpoint '{endpoint.Queue}' handles contract '{envelope.Type}' in version(s) {string.Join(", ", endpoint.VersionsOf(envelope.Type).Select(v => "v" + v))}, not v{envelope.Version}.");
        }

        // Only the owner agency publishes a contract; a message claiming otherwise is forged or misrouted. A query's
        // request comes from its requesters: the provider checks their right against the registry instead.
        if (!route.WireContract.IsQuery && !Platform.MayPublish(BusNames.AgencyOf(envelope.Source), route.WireContract))
        {
            throw new MessageRejectedException(RejectReason.SenderNotOwner,
                $"Sender '{envelope.Source}' is not a system of agency '{route.WireContract.Owner}', the owner of '{envelope.Type}'.");
        }

        context.Route = route;
        if (context.ImmediateRetries == 0)
        {
            deprecation.OnConsume(route.WireContract); // once per delivery, not per retry
        }

        return next(context);
    }
}
