using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Observation;
using QazBus.Storage.Configuration;

namespace QazBus.Cli.Commands;

/// <summary>
/// The message log of a system's storage database, opened for recording an operator's replays and discards: the
/// same writer (and hash chain) the system's own messages go through, built with the storage package's own
/// registration so nothing is written a second way.
/// </summary>
internal sealed class OperatorLog : IAsyncDisposable
{
    private readonly ServiceProvider? _services;

    private OperatorLog(ServiceProvider? services, IReadOnlyList<IMessageObserver> observers)
    {
        _services = services;
        Observers = observers;
    }

    /// <summary>The message log's observer, or none when no storage database was given.</summary>
    public IReadOnlyList<IMessageObserver> Observers { get; }

    public static OperatorLog Open(StorageOptions? storage)
    {
        if (storage is null)
        {
            return new OperatorLog(null, []);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QazBus:System"] = "qazbus.operator",
            ["QazBus:Storage:Provider"] = storage.Provider.ToString(),
            ["QazBus:Storage:ConnectionString"] = storage.ConnectionString,
            ["QazBus:Storage:Schema"] = storage.Schema,
            ["QazBus:Storage:TablePrefix"] = storage.TablePrefix,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration); // the storage registration binds its section from it
        services.AddQazBus(configuration).AddStorage();
        var provider = services.BuildServiceProvider();
        return new OperatorLog(provider, provider.GetServices<IMessageObserver>().ToArray());
    }

    // Disposing the provider flushes the log writer: the records are committed before the command returns.
    public ValueTask DisposeAsync() => _services?.DisposeAsync() ?? ValueTask.CompletedTask;
}
