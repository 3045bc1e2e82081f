using QazBus.Configuration;

namespace QazBus.Retry;

/// <summary>
/// Watches an endpoint's latest outcomes; trips when the failure ratio passes the threshold, so the endpoint
/// pauses while the system it depends on is down, instead of spending every message's retries.
/// </summary>
/// <remarks>
/// Not Polly's circuit breaker (Polly 8.9.1 is referenced, and the HTTP adapters use it), because it does a
/// different job. A breaker guards calls: while open it fails each call with <c>BrokenCircuitException</c>, so the
/// consumer would still take every message off the queue only to reject it; the bus instead stops consuming and
/// leaves the messages in the queue, which only a "tripped" signal from here can start. Polly samples over time
/// (<c>SamplingDuration</c>), not over an endpoint's latest <see cref="KillSwitchOptions.WindowSize"/> messages,
/// which is what the settings promise whatever the traffic rate; it offers no way to record an outcome without
/// running the call through it, while the pipeline records a message's outcome only after its immediate retries
/// and leaves permanent failures out; and its half-open state lets one trial call through, while the endpoint
/// resumes whole after <see cref="KillSwitchOptions.Pause"/> with a fresh window. Fitting it would mean wrapping
/// each handler call in a pipeline and catching its exception to learn of a trip: more code than this window.
/// </remarks>
internal sealed class KillSwitch(KillSwitchOptions options)
{
    private readonly Lock _gate = new();
    private readonly bool[] _window = new bool[options.WindowSize];
    private int _count;
    private int _next;
    private int _failures;

    /// <summary>Records one message's outcome (after its immediate retries); true when this outcome trips the switch.</summary>
    public bool Record(bool failed)
    {
        if (!options.Enabled)
        {
            return false;
        }

        lock (_gate)
        {
            if (_count == _window.Length)
            {
                if (_window[_next])
                {
                    _failures--;
                }
            }
            else
            {
                _count++;
            }

            _window[_next] = failed;
            if (failed)
            {
                _failures++;
            }

            _next = (_next + 1) % _window.Length;
            if (failed && _count >= options.MinimumMessages && _failures >= options.FailureRatio * _count)
            {
                Reset();
                return true;
            }

            return false;
        }
    }

    private void Reset()
    {
        Array.Clear(_window);
        _count = 0;
        _next = 0;
        _failures = 0;
    }
}
