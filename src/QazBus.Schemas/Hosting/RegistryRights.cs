using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Queries;
using QazBus.Schemas.Keys;
using QazBus.Schemas.Queries;
using QazBus.Signing;

namespace QazBus.Schemas.Hosting;

/// <summary>
/// What <c>UseRegistry()</c> takes from the registry file, kept current: the approved query requesters and the systems'
/// public keys. The file is looked at again at most every <see cref="CheckInterval"/>; when it changed, it is read
/// again, so a new requester or a rotated key takes effect without a restart. A changed file that is not a valid
/// registry is logged and the last good one stays in force: a typo in the registry never opens or closes the bus.
/// </summary>
internal sealed partial class RegistryRights(RegistryFile file, IOptions<QazBusOptions> options, TimeProvider time, ILogger<RegistryRights> logger)
    : IQueryAccessPolicy, ITrustedKeyStore
{
    /// <summary>How often the file's change time is looked at (one file-system call, off the message path's common case).</summary>
    internal static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private volatile Snapshot? _current;
    private long _checkedAt;

    public bool MayAsk(string requester, string query, int version) => Current().Policy.MayAsk(requester, query, version);

    public System.Security.Cryptography.ECDsa? Find(string systemId, string keyId) => Current().Keys.Find(systemId, keyId);

    /// <summary>The registry in force (the last good file).</summary>
    public Registry.BusRegistry Registry => Current().Registry;

    private Snapshot Current()
    {
        var current = _current;
        if (current is not null && time.GetElapsedTime(Interlocked.Read(ref _checkedAt)) < CheckInterval)
        {
            return current;
        }

        lock (_gate)
        {
            current = _current;
            if (current is not null && time.GetElapsedTime(Interlocked.Read(ref _checkedAt)) < CheckInterval)
            {
                return current;
            }

            Interlocked.Exchange(ref _checkedAt, time.GetTimestamp());
            var path = options.Value.Registry;
            if (current is null)
            {
                // The start-up check (RegistryOptionsValidator) already read it: a failure here names key and line.
                _current = current = Load(file.Read(path), path!);
                return current;
            }

            var changed = LastWrite(path!);
            if (changed == current.LastWrite)
            {
                return current;
            }

            if (file.TryReload(path, out var document, out var error))
            {
                // The old key store is left to the garbage collector: a verification may still be using its keys.
                _current = current = Load(document!, path!);
                LogReloaded(logger, path!);
            }
            else
            {
                _current = current = current with { LastWrite = changed };
                LogReloadFailed(logger, error!);
            }

            return current;
        }
    }

    private Snapshot Load(Registry.RegistryDocument document, string path) => new(
        document.Registry,
        new RegistryQueryAccessPolicy(document.Registry),
        RegistryTrustedKeyStore.From(document.Registry, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)),
        LastWrite(path));

    private static DateTime LastWrite(string path) => File.GetLastWriteTimeUtc(RegistryFile.Resolve(path));

    private sealed record Snapshot(Registry.BusRegistry Registry, IQueryAccessPolicy Policy, ITrustedKeyStore Keys, DateTime LastWrite);

    [LoggerMessage(Level = LogLevel.Information, Message = "The registry file {Path} changed: its approved requesters and public keys are in force")]
    private static partial void LogReloaded(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The registry file changed but cannot be used; the last good registry stays in force: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, string error);
}
