using QazBus.Wire;

namespace QazBus.Pipeline.Steps;

/// <summary>Reads and checks the CloudEvents headers (<see cref="IncomingEnvelope.Read"/>): every later step relies on them.</summary>
internal sealed class EnvelopeStep : IReceiveStep
{
    public Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        context.Envelope = IncomingEnvelope.Read(context.Message);
        return next(context);
    }
}
