using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Pipeline;
using QazBus.Validation;

namespace QazBus.Retry;

/// <summary>
/// The one retry policy of a system: how many immediate retries and which delayed redeliveries a handler gets,
/// and which failures are permanent. Resolved per endpoint and contract from <c>QazBus:Retry</c>.
/// </summary>
internal sealed class RetryPolicy(IOptions<QazBusOptions> options)
{
    private readonly RetryOptions _retry = options.Value.Retry;

    // Asked once per message: parsing the delay text each time was ~3% of a worker's CPU (docs/performance.md).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Endpoint, string Contract), RetrySchedule> _schedules = new();

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

    /// <summary>Every delay any override uses: the delay levels this system needs.</summary>
    public IEnumerable<TimeSpan> AllDelays()
    {
        var texts = new[] { _retry.Delays }
            .Concat(_retry.Contracts.Values.Select(o => o.Delays))
            .Concat(_retry.Endpoints.Values.Select(o => o.Delays));
        foreach (var text in texts)
        {
            if (DelayLevels.TryParse(text, out var delays, out _))
            {
                foreach (var delay in delays)
                {
                    yield return delay;
                }
            }
        }
    }

    /// <summary>True when retrying cannot help: rejections, contract violations, and the configured exception types.</summary>
    public bool IsPermanent(Exception exception)
    {
        if (exception is MessageRejectedException or ContractValidationException)
        {
            return true;
        }

        if (_retry.PermanentExceptions.Count == 0)
        {
            return false;
        }

        for (var type = exception.GetType(); type is not null; type = type.BaseType)
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
