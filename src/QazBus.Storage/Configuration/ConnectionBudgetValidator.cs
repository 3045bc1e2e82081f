using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Runtime;
using QazBus.Storage.Database;

namespace QazBus.Storage.Configuration;

/// <summary>
/// Refuses to start a PostgreSQL-backed worker whose connection bound is below what its handlers and background work
/// hold at once: such a worker would not fail at start but stall under load, every handler waiting for a connection.
/// </summary>
internal sealed class ConnectionBudgetValidator(IOptions<QazBusOptions> bus, BusEndpoints endpoints) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        // An undefined provider is reported by the options validator.
        if (!Enum.IsDefined(options.Provider) || !options.Dialect.BoundsConnections)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.MaxConnections is < 1)
        {
            return ValidateOptionsResult.Fail($"{StorageOptions.SectionName}:MaxConnections must be at least 1, got {options.MaxConnections}.");
        }

        var configured = ConnectionBudget.Configured(options);
        var settings = bus.Value;
        var count = endpoints.All.Count;
        var needed = ConnectionBudget.Needed(options, settings, count);
        if (configured is { } max && max < needed)
        {
            var source = options.MaxConnections is null ? $"The 'Maximum Pool Size' of {StorageOptions.SectionName}:ConnectionString" : $"{StorageOptions.SectionName}:MaxConnections";
            var handlers = options.Inbox.Enabled
                ? $"{QazBusOptions.SectionName}:ConcurrencyLimit {settings.ConcurrencyLimit} × {count} endpoint(s) through the inbox"
                : "no handlers through the inbox";
            return ValidateOptionsResult.Fail(
                $"{source} is {max}, but this worker holds up to {needed} storage connections at once: {handlers}, plus {ConnectionBudget.Reserved} for the relay, its listener, the message log, retention and health. " +
                $"Raise it to at least {needed}, or lower {QazBusOptions.SectionName}:ConcurrencyLimit.");
        }

        return ValidateOptionsResult.Success;
    }
}
