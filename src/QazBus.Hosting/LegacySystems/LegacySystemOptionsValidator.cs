using Microsoft.Extensions.Options;

namespace QazBus.Hosting.LegacySystems;

/// <summary>
/// Checks one legacy system's <see cref="LegacySystemOptions"/> at start-up; each failure names the configuration key.
/// </summary>
/// <remarks>
/// Also checks what the standard resilience pipeline would otherwise reject only at the first call, with a message
/// naming its own option types rather than the keys an operator sets.
/// </remarks>
internal sealed class LegacySystemOptionsValidator(string systemName) : IValidateOptions<LegacySystemOptions>
{
    // Polly's own limits: an attempt timeout of 10 ms to 24 h, a break of 0.5 s to 24 h.
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);
    private static readonly TimeSpan MinBreak = TimeSpan.FromMilliseconds(500);
    private const int MaxRetries = 10;

    public ValidateOptionsResult Validate(string? name, LegacySystemOptions options)
    {
        // One validator per system, registered for its named options only.
        if (!string.Equals(name, systemName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var s = LegacySystemOptions.SectionFor(systemName);
        var failures = new List<string>();

        if (options.BaseAddress is null)
        {
            failures.Add($"{s}:BaseAddress is required: the absolute http(s) address of the legacy system '{systemName}', for example http://host:8080/api/.");
        }
        else if (!options.BaseAddress.IsAbsoluteUri || (options.BaseAddress.Scheme != Uri.UriSchemeHttp && options.BaseAddress.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{s}:BaseAddress '{options.BaseAddress}' must be an absolute http or https address, for example http://host:8080/api/.");
        }

        if (options.AttemptTimeout < MinTimeout || options.AttemptTimeout > MaxDuration)
        {
            failures.Add($"{s}:AttemptTimeout must be between 10 ms and 1 day, got {options.AttemptTimeout}.");
        }

        if (options.TotalTimeout <= options.AttemptTimeout || options.TotalTimeout > MaxDuration)
        {
            failures.Add($"{s}:TotalTimeout must be longer than {s}:AttemptTimeout ({options.AttemptTimeout}) and at most 1 day, got {options.TotalTimeout}.");
        }

        if (options.Retries is < 1 or > MaxRetries)
        {
            failures.Add($"{s}:Retries must be between 1 and {MaxRetries}, got {options.Retries}; the bus's own redelivery takes over after them.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > MaxDuration)
        {
            failures.Add($"{s}:RetryDelay must be between 0 and 1 day, got {options.RetryDelay}.");
        }

        if (!(options.FailureRatio > 0 && options.FailureRatio <= 1))
        {
            failures.Add($"{s}:FailureRatio must be above 0 and at most 1, got {options.FailureRatio}.");
        }

        if (options.MinimumThroughput < 2)
        {
            failures.Add($"{s}:MinimumThroughput must be at least 2, got {options.MinimumThroughput}.");
        }

        // The circuit breaker must see at least two whole attempts in its window, or it judges on too little.
        if (options.SamplingDuration < 2 * options.AttemptTimeout || options.SamplingDuration > MaxDuration)
        {
            failures.Add($"{s}:SamplingDuration must be at least twice {s}:AttemptTimeout ({options.AttemptTimeout}) and at most 1 day, got {options.SamplingDuration}.");
        }

        if (options.BreakDuration < MinBreak || options.BreakDuration > MaxDuration)
        {
            failures.Add($"{s}:BreakDuration must be between 0.5 seconds and 1 day, got {options.BreakDuration}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
