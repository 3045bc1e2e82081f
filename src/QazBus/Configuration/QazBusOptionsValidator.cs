using Microsoft.Extensions.Options;
using QazBus.Naming;
using QazBus.Transport.RabbitMq;

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
            // One parser for the URI and the nodes, the connection factory's (its message never echoes the password).
            var parsed = BrokerAddress.TryParse(options.RabbitMq.Uri, options.RabbitMq.Nodes, out var address, out var addressError);
            if (!parsed)
            {
                failures.Add(string.IsNullOrWhiteSpace(options.RabbitMq.Uri)
                    ? $"{S}:RabbitMq:Uri is required when {S}:Transport is RabbitMq, for example 'amqp://user:password@host:5672/'."
                    : addressError!);
            }

            if (options.RabbitMq.QuorumReplicas < 1)
            {
                failures.Add($"{S}:RabbitMq:QuorumReplicas must be at least 1 (3 tolerates one node down).");
            }

            var tls = options.RabbitMq.Tls;
            foreach (var (key, path) in new[] { ("ClientCertificatePath", tls.ClientCertificatePath), ("CaCertificatePath", tls.CaCertificatePath) })
            {
                if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
                {
                    failures.Add($"{S}:RabbitMq:Tls:{key} '{path}' does not exist.");
                }
            }

            if ((tls.ClientCertificatePath is not null || tls.CaCertificatePath is not null)
                && address is { UsesTls: false })
            {
                failures.Add($"{S}:RabbitMq:Tls is set but {S}:RabbitMq:Uri is not amqps://: TLS would not be used.");
            }

            if (options.RabbitMq.ConnectTimeout <= TimeSpan.Zero)
            {
                failures.Add($"{S}:RabbitMq:ConnectTimeout must be positive, got {options.RabbitMq.ConnectTimeout}.");
            }

            if (options.RabbitMq.DeliveryLimit is < 1 or > 1000)
            {
                failures.Add($"{S}:RabbitMq:DeliveryLimit must be between 1 and 1000, got {options.RabbitMq.DeliveryLimit}.");
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

        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            failures.Add($"{S}:ShutdownTimeout must not be negative, got {options.ShutdownTimeout}.");
        }

        if (options.ConcurrencyLimit is < 1 or > 1024)
        {
            failures.Add($"{S}:ConcurrencyLimit must be between 1 and 1024, got {options.ConcurrencyLimit}.");
        }

        if (options.MaxMessageBytes is < 1024 or > 128 * 1024 * 1024)
        {
            failures.Add($"{S}:MaxMessageBytes must be between 1024 and 134217728, got {options.MaxMessageBytes}.");
        }

        ValidateRetry($"{S}:Retry", options.Retry.ImmediateRetries, options.Retry.Delays, failures);
        foreach (var (contract, retry) in options.Retry.Contracts)
        {
            if (!BusNames.IsValidContractName(contract))
            {
                failures.Add($"{S}:Retry:Contracts:{contract} does not name a contract ('{{agency}}.{{domain}}.{{event}}').");
            }

            ValidateRetry($"{S}:Retry:Contracts:{contract}", retry.ImmediateRetries, retry.Delays, failures);
        }

        foreach (var (endpoint, retry) in options.Retry.Endpoints)
        {
            if (!BusNames.IsValidEndpointName(endpoint))
            {
                failures.Add($"{S}:Retry:Endpoints:{endpoint} does not name an endpoint (one lowercase segment).");
            }

            ValidateRetry($"{S}:Retry:Endpoints:{endpoint}", retry.ImmediateRetries, retry.Delays, failures);
        }

        var killSwitch = options.KillSwitch;
        if (killSwitch.FailureRatio is <= 0 or > 1)
        {
            failures.Add($"{S}:KillSwitch:FailureRatio must be above 0 and at most 1, got {killSwitch.FailureRatio}.");
        }

        if (killSwitch.WindowSize is < 1 or > 100_000)
        {
            failures.Add($"{S}:KillSwitch:WindowSize must be between 1 and 100000, got {killSwitch.WindowSize}.");
        }

        if (killSwitch.MinimumMessages < 1 || killSwitch.MinimumMessages > killSwitch.WindowSize)
        {
            failures.Add($"{S}:KillSwitch:MinimumMessages must be between 1 and {S}:KillSwitch:WindowSize, got {killSwitch.MinimumMessages}.");
        }

        if (killSwitch.Pause <= TimeSpan.Zero)
        {
            failures.Add($"{S}:KillSwitch:Pause must be positive, got {killSwitch.Pause}.");
        }

        var signing = options.Signing;
        if (!Enum.IsDefined(signing.Mode))
        {
            failures.Add($"{S}:Signing:Mode '{signing.Mode}' is invalid: use Off, Sign or Required.");
        }
        else if (signing.Mode != Signing.SigningMode.Off)
        {
            if (string.IsNullOrWhiteSpace(signing.KeyId))
            {
                failures.Add($"{S}:Signing:KeyId is required when {S}:Signing:Mode is {signing.Mode}: the id of this system's key in the registry.");
            }

            if (string.IsNullOrWhiteSpace(signing.PrivateKeyPath))
            {
                failures.Add($"{S}:Signing:PrivateKeyPath is required when {S}:Signing:Mode is {signing.Mode}: the path of this system's PKCS#8 PEM private key.");
            }
            else if (!File.Exists(signing.PrivateKeyPath))
            {
                failures.Add($"{S}:Signing:PrivateKeyPath '{signing.PrivateKeyPath}' does not exist.");
            }

            if (signing.MaxMessageAge <= TimeSpan.Zero || signing.MaxClockSkew < TimeSpan.Zero)
            {
                failures.Add($"{S}:Signing:MaxMessageAge must be positive and {S}:Signing:MaxClockSkew not negative.");
            }
        }

        if (options.DeprecationWarningInterval <= TimeSpan.Zero)
        {
            failures.Add($"{S}:DeprecationWarningInterval must be positive, got {options.DeprecationWarningInterval}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateRetry(string key, int? immediateRetries, string? delays, List<string> failures)
    {
        if (immediateRetries is < 0 or > 10)
        {
            failures.Add($"{key}:ImmediateRetries must be between 0 and 10, got {immediateRetries}.");
        }

        if (delays is not null && !Retry.DelayLevels.TryParse(delays, out _, out var error))
        {
            failures.Add($"{key}:Delays: {error}.");
        }
    }
}
