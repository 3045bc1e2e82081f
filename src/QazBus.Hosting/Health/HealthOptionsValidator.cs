using System.Net;
using Microsoft.Extensions.Options;

namespace QazBus.Hosting.Health;

/// <summary>Checks <see cref="HealthOptions"/> at start-up; each failure names the configuration key.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    private const string S = HealthOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var failures = new List<string>();

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"{S}:Port must be between 0 and 65535 (0 takes a free port), got {options.Port}; leave it unset to serve no health endpoints.");
        }

        if (!IPAddress.TryParse(options.Address, out _))
        {
            failures.Add($"{S}:Address '{options.Address}' is not an IP address: use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface, in a container).");
        }

        if (options.OutboxBacklogLimit < 1)
        {
            failures.Add($"{S}:OutboxBacklogLimit must be at least 1, got {options.OutboxBacklogLimit}.");
        }

        if (options.OutboxAgeLimit <= TimeSpan.Zero)
        {
            failures.Add($"{S}:OutboxAgeLimit must be positive, got {options.OutboxAgeLimit}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
