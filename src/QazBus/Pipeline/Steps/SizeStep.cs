using QazBus.Configuration;

namespace QazBus.Pipeline.Steps;

/// <summary>Refuses a body larger than <c>QazBus:MaxMessageBytes</c> before anything reads it.</summary>
internal sealed class SizeStep(int maxBytes) : IReceiveStep
{
    public Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        var length = context.Message.Body.Length;
        if (length > maxBytes)
        {
            throw new MessageRejectedException(RejectReason.Oversized,
                $"Body is {length} bytes; {QazBusOptions.SectionName}:MaxMessageBytes allows {maxBytes}.");
        }

        return next(context);
    }
}
