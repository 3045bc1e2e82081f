using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Retry;
using QazBus.Validation;

namespace QazBus.Pipeline.Recoverability;

/// <summary>
/// Decides, and only decides, what happens to a message whose handling failed: retry at once, redeliver after a
/// delay through the broker, or dead-letter with a reason. The one place that tells permanent failures (retrying
/// cannot help) from transient ones; the recoverability step carries the decision out. Retries and delays are
/// resolved per endpoint and contract from <c>QazBus:Retry</c>.
/// </summary>
internal sealed class RecoverabilityPolicy(IOptions<QazBusOptions> options)
{
    private readonly RetryOptions _retry = options.Value.Retry;

    // Asked once per message: parsing the delay text each time was ~3% of a worker's CPU (docs/performance.md).
    private readonly ConcurrentDictionary<(string Endpoint, string Contract), RetrySchedule> _schedules = new();

    /// <summary>What to do after <paramref name="failure"/> in <paramref name="context"/>'s current attempt.</summary>
    public RecoveryAction Decide(ReceiveContext context, Exception failure)
    {
        if (IsPermanent(failure))
        {
            var reason = failure switch
            {
                MessageRejectedException rejected => rejected.Reason,
                ContractValidationException => RejectReason.SchemaViolation,
                _ => RejectReason.HandlerFailed,
            };
            return new RecoveryAction.DeadLetter(reason, Permanent: true);
        }

        var schedule = For(context.Endpoint.Name, context.Envelope?.Type ?? string.Empty);
        if (context.ImmediateRetries + 1 < schedule.AttemptsPerDelivery)
        {
            return new RecoveryAction.RetryNow();
        }

        return context.Redeliveries < schedule.Delays.Length
            ? new RecoveryAction.Redeliver(schedule.Delays[context.Redeliveries])
            : new RecoveryAction.DeadLetter(RejectReason.HandlerFailed, Permanent: false);
    }

    /// <summary>The handler attempt number of <paramref name="context"/>'s current try; numbers run on across redeliveries (with 2 immediate retries, redelivery 1 starts at attempt 4).</summary>
    public int AttemptOf(ReceiveContext context) =>
        (context.Redeliveries * For(context.Endpoint.Name, context.Envelope?.Type ?? string.Empty).AttemptsPerDelivery) + context.ImmediateRetries + 1;

    /// <summary>The immediate retries and delays for a contract at an endpoint (endpoint override, then contract override, then the system's).</summary>
    public RetrySchedule For(string endpoint, string contract) =>
        _schedules.GetOrAdd((endpoint, contract), static (key, policy) => policy.Resolve(key.Endpoint, key.Contract), this);

    private RetrySchedule Resolve(string endpoint, string contract)
    {
        _retry.Endpoints.TryGetValue(endpoint, out var byEndpoint);
        _retry.Contracts.TryGetValue(contract, out var byContract);
        var immediate = byEndpoint?.ImmediateRetries ?? byContract?.ImmediateRetries ?? _retry.ImmediateRetries;
        var delaysText = byEndpoint?.Delays ?? byContract?.Delays ?? _retry.Delays;
        return DelayLevels.TryParse(delaysText, out var delays, out var error)
            ? new RetrySchedule(immediate, delays)
            : throw new InvalidOperationException(error); // unreachable: validated at start-up
    }

    // Rejections and contract violations are bad input; the configured exception types are the system's own word.
    private bool IsPermanent(Exception exception)
    {
        if (exception is MessageRejectedException or ContractValidationException)
        {
            return true;
        }

        for (var type = exception.GetType(); _retry.PermanentExceptions.Count > 0 && type is not null; type = type.BaseType)
        {
            if (_retry.PermanentExceptions.Contains(type.FullName!, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The retries one handler gets.</summary>
/// <param name="ImmediateRetries">Retries at once, in memory.</param>
/// <param name="Delays">Delayed redeliveries, in order.</param>
internal sealed record RetrySchedule(int ImmediateRetries, TimeSpan[] Delays)
{
    /// <summary>Attempts per delivery: the first plus the immediate retries.</summary>
    public int AttemptsPerDelivery => ImmediateRetries + 1;
}

/// <summary>A decision of <see cref="RecoverabilityPolicy"/>.</summary>
internal abstract record RecoveryAction
{
    private RecoveryAction()
    {
    }

    /// <summary>Whether retrying could not have helped (bad input, a permanent exception type).</summary>
    public virtual bool Permanent => false;

    /// <summary>Run the handler again at once.</summary>
    public sealed record RetryNow : RecoveryAction;

    /// <summary>Send the message through the broker's delay level, back to the endpoint after <paramref name="Delay"/>.</summary>
    public sealed record Redeliver(TimeSpan Delay) : RecoveryAction;

    /// <summary>Move the message to the endpoint's error queue with <paramref name="Reason"/>.</summary>
    public sealed record DeadLetter(string Reason, bool Permanent) : RecoveryAction
    {
        public override bool Permanent { get; } = Permanent;
    }
}
