using QazBus.Configuration;

namespace QazBus.Retry;

/// <summary>
/// Watches an endpoint's latest outcomes; trips when the failure ratio passes the threshold, so the endpoint
/// pauses while the system it depends on is down, instead of spending every message's retries.
/// </summary>
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
