using Microsoft.Extensions.Options;

namespace QazBus.Gateway.Configuration;

/// <summary>Checks <see cref="GatewayOptions"/> at start-up; each failure names the configuration key.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    private const string S = GatewayOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBodyBytes < 1)
        {
            failures.Add($"{S}:MaxBodyBytes must be at least 1, got {options.MaxBodyBytes}.");
        }

        if (options.QueryTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{S}:QueryTimeout must be positive, got {options.QueryTimeout}.");
        }

        if (options.MaxQueryTimeout < options.QueryTimeout)
        {
            failures.Add($"{S}:MaxQueryTimeout ({options.MaxQueryTimeout}) must not be shorter than {S}:QueryTimeout ({options.QueryTimeout}).");
        }

        if (options.RateLimit.Permits < 1)
        {
            failures.Add($"{S}:RateLimit:Permits must be at least 1, got {options.RateLimit.Permits}.");
        }

        if (options.RateLimit.Window <= TimeSpan.Zero)
        {
            failures.Add($"{S}:RateLimit:Window must be positive, got {options.RateLimit.Window}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
