using System.Diagnostics;
using QazBus.Observation;
using QazBus.Telemetry;

namespace QazBus.Pipeline.Recoverability;

/// <summary>
/// The one step that carries out <see cref="RecoverabilityPolicy"/>'s decisions: on a failure anywhere after it,
/// it runs the rest of the pipeline again (an immediate retry), schedules a delayed redelivery, or dead-letters the
/// message; and it sets the outcome the outer steps report. A stop of the host is not a failure: the message goes
/// back to the queue unacknowledged.
/// </summary>
internal sealed class RecoverabilityStep(RecoverabilityPolicy policy, FailureActions actions) : IReceiveStep
{
    public async Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        while (true)
        {
            try
            {
                await next(context).ConfigureAwait(false);
                context.Failure = null;
                context.FailedTransiently = false;
                context.Outcome = context.Duplicate ? MessageOutcome.Duplicate : MessageOutcome.Handled;
                return;
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // A handler may throw anything; every failure is decided on, never lost.
            catch (Exception failure)
#pragma warning restore CA1031
            {
                var action = policy.Decide(context, failure);
                context.Failure = failure;
                context.FailedTransiently = !action.Permanent;
                switch (action)
                {
                    case RecoveryAction.RetryNow:
                        context.ImmediateRetries++;
                        QazBusDiagnostics.Retried.Add(1, context.Tags);
                        context.Activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["qazbus.attempt"] = context.Attempt + 1 }));
                        continue;
                    case RecoveryAction.Redeliver redeliver:
                        context.Outcome = MessageOutcome.RedeliveryScheduled;
                        context.Reason = RejectReason.HandlerFailed;
                        await actions.RedeliverAsync(context, redeliver.Delay, failure).ConfigureAwait(false);
                        return;
                    case RecoveryAction.DeadLetter deadLetter:
                        context.Outcome = MessageOutcome.DeadLettered;
                        context.Reason = deadLetter.Reason;
                        await actions.DeadLetterAsync(context, deadLetter.Reason, failure).ConfigureAwait(false);
                        return;
                    default:
                        throw new UnreachableException($"Unknown recovery action {action}.");
                }
            }
        }
    }
}
