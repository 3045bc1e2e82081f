using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using QazBus.Naming;

namespace QazBus.Storage.Configuration;

/// <summary>
/// Checks <see cref="StorageOptions"/> at start-up; each failure names the configuration key and what is wrong,
/// so an operator can fix the setting without reading code.
/// </summary>
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    private const string S = StorageOptions.SectionName;

    // Names go into SQL unquoted, so they are plain lowercase identifiers: no quoting rules to get wrong.
    [GeneratedRegex("^([a-z_][a-z0-9_]{0,19})?$", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixRegex();

    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();

        if (!Enum.IsDefined(options.Provider))
        {
            failures.Add($"{S}:Provider '{options.Provider}' is invalid: use Sqlite or Postgres.");
        }
        else
        {
            options.Dialect.Validate(options, failures);
        }

        if (!PrefixRegex().IsMatch(options.TablePrefix ?? string.Empty))
        {
            failures.Add($"{S}:TablePrefix '{options.TablePrefix}' is invalid: use lowercase a-z, 0-9 and '_', not starting with a digit, at most 20 characters, for example 'qazbus_'.");
        }

        if (options.Outbox.SentRetention < TimeSpan.Zero)
        {
            failures.Add($"{S}:Outbox:SentRetention must not be negative, got {options.Outbox.SentRetention}.");
        }

        var relay = options.Relay;
        if (relay.BatchSize is < 1 or > 5000)
        {
            failures.Add($"{S}:Relay:BatchSize must be between 1 and 5000, got {relay.BatchSize}.");
        }

        if (relay.PollInterval < TimeSpan.FromMilliseconds(10) || relay.PollInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{S}:Relay:PollInterval must be between 00:00:00.010 and 00:10:00, got {relay.PollInterval}.");
        }

        if (relay.PublishTimeout < TimeSpan.FromSeconds(1) || relay.PublishTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{S}:Relay:PublishTimeout must be between 00:00:01 and 01:00:00, got {relay.PublishTimeout}.");
        }

        if (relay.MaxBackoff < TimeSpan.FromMilliseconds(100) || relay.MaxBackoff > TimeSpan.FromHours(1))
        {
            failures.Add($"{S}:Relay:MaxBackoff must be between 00:00:00.100 and 01:00:00, got {relay.MaxBackoff}.");
        }

        if (options.Inbox.Retention < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{S}:Inbox:Retention must be at least 00:01:00 (it must outlast every redelivery of a message), got {options.Inbox.Retention}.");
        }

        foreach (var contract in options.MessageLog.MetadataOnly)
        {
            if (contract != "*" && !BusNames.IsValidContractName(contract))
            {
                failures.Add($"{S}:MessageLog:MetadataOnly: '{contract}' does not name a contract ('{{agency}}.{{domain}}.{{event}}') nor is it '*'.");
            }
        }

        if (options.CleanupInterval < TimeSpan.FromSeconds(1) || options.CleanupInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"{S}:CleanupInterval must be between 00:00:01 and 1.00:00:00, got {options.CleanupInterval}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
