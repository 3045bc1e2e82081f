using QazBus.Retry;

namespace QazBus.Pipeline.Steps;

/// <summary>
/// Counts the outcome of every message that reached its handler; when too many fail for reasons retrying could
/// help with (a dependency is down), pauses the consumer rather than spend every message's retries.
/// </summary>
internal sealed class KillSwitchStep(KillSwitch killSwitch, Func<Task> onTripped) : IReceiveStep
{
    public async Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        await next(context).ConfigureAwait(false);

        // Bad input never reached a handler: it says nothing about the handler's dependencies.
        if (context.Attempt > 0 && killSwitch.Record(failed: context.FailedTransiently))
        {
            await onTripped().ConfigureAwait(false);
        }
    }
}
