using Microsoft.Extensions.Options;

namespace QazBus.Hosting.Telemetry;

/// <summary>Checks <see cref="TelemetryOptions"/> at start-up; each failure names the configuration key.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    private const string S = TelemetryOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        if (options.SampleInterval < TimeSpan.FromMilliseconds(100) || options.SampleInterval > TimeSpan.FromHours(1))
        {
            return ValidateOptionsResult.Fail(
                $"{S}:SampleInterval must be between 00:00:00.1 and 01:00:00, got {options.SampleInterval}.");
        }

        return ValidateOptionsResult.Success;
    }
}
