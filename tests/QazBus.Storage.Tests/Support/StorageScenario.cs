using QazBus.Storage.Configuration;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.Support;

/// <summary>
/// Base of the scenarios that run on both providers: a derived class per provider gives a fresh database (a
/// PostgreSQL schema or a SQLite file) to each test class, and the shared broker.
/// </summary>
public abstract class StorageScenario(StorageProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private StorageBackend? _backend;
    private string? _brokerUri;
    private TestVirtualHost? _vhost;
    private readonly List<IAsyncDisposable> _owned = [];

    protected ITestOutputHelper Output { get; } = output;

    protected StorageProvider Provider { get; } = provider;

    protected StorageBackend Backend => _backend ?? throw new InvalidOperationException("not initialised");

    protected string BrokerUri => _brokerUri ?? throw new InvalidOperationException("not initialised");

    public async Task InitializeAsync()
    {
        _backend = await StorageBackend.CreateAsync(Provider);
        // A vhost per test, not the assembly's: another test's clean-up (deleting its endpoint queue, bound to the
        // contract exchange this test publishes to) must not reach this test's channels.
        _vhost = await (await Servers.RabbitMqAsync()).CreateVirtualHostAsync();
        _brokerUri = _vhost.Uri;
        Output.WriteLine($"Using {_backend.Description} and {_vhost.Description}");
    }

    /// <summary>A new harness on the shared broker, disposed after the test.</summary>
    protected StorageHarness Harness(string? brokerUri = null)
    {
        var harness = new StorageHarness(Backend, brokerUri ?? BrokerUri, Output);
        _owned.Add(harness);
        return harness;
    }

    /// <summary>Disposes <paramref name="resource"/> after the test (before the database goes).</summary>
    protected T Own<T>(T resource)
        where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned.AsEnumerable().Reverse())
        {
            await owned.DisposeAsync();
        }

        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        if (_vhost is not null)
        {
            await _vhost.DisposeAsync();
        }
    }
}
