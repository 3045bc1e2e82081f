using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QazBus.Storage.Database;

namespace QazBus.Storage.Schema;

/// <summary>
/// Runs the schema migration once per process and lets the storage parts wait for it. The host runs it before
/// any hosted service starts (see <see cref="SchemaInitializer"/>), so consumers never see missing tables.
/// </summary>
internal sealed class SchemaGate(StorageDatabase database, ILogger<SchemaGate> logger)
{
    private readonly Lock _gate = new();
    private Task? _migration;

    /// <summary>True once the tables are known to be at the version this library needs.</summary>
    public bool IsReady => _migration is { IsCompletedSuccessfully: true };

    /// <summary>Migrates (or checks) the schema the first time; later calls wait for that one run. A failed run is tried again.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task migration;
        lock (_gate)
        {
            if (_migration is null || _migration.IsFaulted || _migration.IsCanceled)
            {
                _migration = SchemaMigrator.MigrateAsync(database, logger, CancellationToken.None);
            }

            migration = _migration;
        }

        return migration.IsCompletedSuccessfully ? Task.CompletedTask : migration.WaitAsync(cancellationToken);
    }
}

/// <summary>Creates or checks the storage schema while the host is starting, before any hosted service's StartAsync.</summary>
internal sealed class SchemaInitializer(SchemaGate gate) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => gate.EnsureAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
