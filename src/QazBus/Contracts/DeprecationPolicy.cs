using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Telemetry;

namespace QazBus.Contracts;

/// <summary>
/// Enforces <see cref="ContractDeprecatedAttribute"/>: a warning once per interval and a metric while a deprecated
/// version is still used; after its sunset date, publishing it fails.
/// </summary>
internal sealed partial class DeprecationPolicy(TimeProvider time, IOptions<QazBusOptions> options, ILogger<DeprecationPolicy> logger)
{
    private readonly ConcurrentDictionary<(string Contract, int Version, string Use), long> _lastWarned = new();

    public void OnPublish(ContractDescriptor contract)
    {
        if (contract.Sunset is not { } sunset)
        {
            return;
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (today > sunset)
        {
            throw new InvalidOperationException(
                $"Contract '{contract.Name}' v{contract.MajorVersion} passed its sunset date {sunset.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} and can no longer be published" +
                (contract.Replacement is null ? "." : $": {contract.Replacement}."));
        }

        Note(contract, "publish", sunset);
    }

    public void OnConsume(ContractDescriptor contract)
    {
        if (contract.Sunset is { } sunset)
        {
            Note(contract, "consume", sunset);
        }
    }

    private void Note(ContractDescriptor contract, string use, DateOnly sunset)
    {
        QazBusDiagnostics.DeprecatedUse.Add(1,
            new KeyValuePair<string, object?>("qazbus.contract.name", contract.Name),
            new KeyValuePair<string, object?>("qazbus.contract.version", contract.MajorVersion),
            new KeyValuePair<string, object?>("qazbus.use", use));

        var now = time.GetTimestamp();
        var interval = options.Value.DeprecationWarningInterval;
        var key = (contract.Name, contract.MajorVersion, use);
        var last = _lastWarned.GetOrAdd(key, long.MinValue);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < interval)
        {
            return;
        }

        // Only one caller per interval wins the swap and logs.
        if (_lastWarned.TryUpdate(key, now, last))
        {
            LogDeprecated(logger, contract.Name, contract.MajorVersion, use, sunset.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), contract.Replacement ?? "see the contract catalog");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Contract {Contract} v{Version} is deprecated ({Use}); sunset {Sunset}: {Replacement}")]
    private static partial void LogDeprecated(ILogger logger, string contract, int version, string use, string sunset, string replacement);
}
