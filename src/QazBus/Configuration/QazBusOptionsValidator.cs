using Microsoft.Extensions.Options;
using QazBus.Naming;

namespace QazBus.Configuration;

/// <summary>
/// Checks <see cref="QazBusOptions"/> at start-up; each failure names the configuration key and what is wrong,
/// so an operator can fix the setting without reading code.
/// </summary>
internal sealed class QazBusOptionsValidator : IValidateOptions<QazBusOptions>
{
    private const string S = QazBusOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, QazBusOptions options)
    {
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.System))
        {
            failures.Add($"{S}:System is required: this system's id as '{{agency}}.{{system}}', for example 'mju.population-registry'.");
        }
        else if (!BusNames.IsValidSystemId(options.System))
        {
            failures.Add($"{S}:System '{options.System}' is invalid: use '{{agency}}.{{system}}' in lowercase a-z, 0-9 and '-', for example 'mju.population-registry'.");
        }

        if (!Enum.IsDefined(options.Transport))
        {
            failures.Add($"{S}:Transport '{options.Transport}' is invalid: use InMemory or RabbitMq.");
        }

        if (options.Transport == TransportKind.RabbitMq)
        {
            if (string.IsNullOrWhiteSpace(options.RabbitMq.Uri))
            {
                failures.Add($"{S}:RabbitMq:Uri is required when {S}:Transport is RabbitMq, for example 'amqp://user:password@host:5672/'.");
            }
            else if (!Uri.TryCreate(options.RabbitMq.Uri, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
            {
                // The URI can hold a password: name the key, never echo the value.
                failures.Add($"{S}:RabbitMq:Uri is not an absolute amqp:// or amqps:// URI.");
            }

            if (options.RabbitMq.ConnectTimeout <= TimeSpan.Zero)
            {
                failures.Add($"{S}:RabbitMq:ConnectTimeout must be positive, got {options.RabbitMq.ConnectTimeout}.");
            }

            if (options.RabbitMq.PublishRetryTimeout < TimeSpan.Zero)
            {
                failures.Add($"{S}:RabbitMq:PublishRetryTimeout must not be negative, got {options.RabbitMq.PublishRetryTimeout}.");
            }
        }

        if (options.PrefetchCount is < 1 or > ushort.MaxValue)
        {
            failures.Add($"{S}:PrefetchCount must be between 1 and {ushort.MaxValue}, got {options.PrefetchCount}.");
        }

        if (options.ConcurrencyLimit is < 1 or > 1024)
        {
            failures.Add($"{S}:ConcurrencyLimit must be between 1 and 1024, got {options.ConcurrencyLimit}.");
        }

        if (options.MaxMessageBytes is < 1024 or > 128 * 1024 * 1024)
        {
            failures.Add($"{S}:MaxMessageBytes must be between 1024 and 134217728, got {options.MaxMessageBytes}.");
        }

        if (options.Retry.ImmediateRetries is < 0 or > 10)
        {
            failures.Add($"{S}:Retry:ImmediateRetries must be between 0 and 10, got {options.Retry.ImmediateRetries}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
