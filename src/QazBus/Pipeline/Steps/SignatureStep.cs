using QazBus.Signing;

namespace QazBus.Pipeline.Steps;

/// <summary>Verifies the sender's signature (when signing is on): nothing else about a forged message is worth looking at.</summary>
internal sealed class SignatureStep(MessageSigner signer) : IReceiveStep
{
    public Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        signer.Verify(context.Message, context.Envelope!);
        return next(context);
    }
}
