using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QazBus.Contracts.Population;
using QazBus.Gateway.Hosting;
using QazBus.Queries;
using QazBus.TestSupport;

namespace QazBus.Gateway.Tests;

/// <summary>
/// One real broker, one real PostgreSQL, a provider of <c>mju.population.citizen-by-iin</c> on the bus, and gateways on
/// Kestrel (random ports) in front of them, configured from a registry that gives the two sample systems API keys.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    /// <summary>The IIN the provider has no citizen for.</summary>
    public const string UnknownIin = "000000000000";

    /// <summary>The IIN the provider answers only after a long while (the 504 case).</summary>
    public const string SlowIin = "999999999999";

    private readonly List<IAsyncDisposable> _owned = [];
    private IHost? _provider;

    public RabbitMqFixture Broker { get; } = new();

    public PostgresFixture Postgres { get; } = new();

    /// <summary>The API key of <c>mju.population-registry</c> (the publisher of the population contracts).</summary>
    public string PopulationKey { get; } = "pop-" + Guid.NewGuid().ToString("N");

    /// <summary>The API key of <c>kgd.tax-office</c> (an approved asker of citizen-by-iin).</summary>
    public string TaxKey { get; } = "tax-" + Guid.NewGuid().ToString("N");

    public string RegistryPath { get; } = Path.Combine(Path.GetTempPath(), $"qazbus-gw-registry-{Guid.NewGuid():N}.json");

    /// <summary>The gateway most tests use.</summary>
    public RunningGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Broker.InitializeAsync();
        await Postgres.InitializeAsync();
        WriteRegistry();

        _provider = TestHosts.Build("mju.population-registry", Broker.Uri,
            bus => bus.AddQueryHandler<CitizenByIin, CitizenCard, CitizenByIinTestHandler>("citizen-queries").UseRegistry(),
            new Dictionary<string, string?> { ["QazBus:Registry"] = RegistryPath });
        await _provider.StartAsync();
        Gateway = await StartGatewayAsync();
    }

    /// <summary>Starts another gateway (its own database schema), with extra settings.</summary>
    public async Task<RunningGateway> StartGatewayAsync(IDictionary<string, string?>? settings = null)
    {
        var schema = PostgresFixture.NewSchemaName("gw");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        var values = new Dictionary<string, string?>
        {
            ["QazBus:System"] = "mju.gateway",
            ["QazBus:Registry"] = RegistryPath,
            ["QazBus:Transport"] = "RabbitMq",
            ["QazBus:RabbitMq:Uri"] = Broker.Uri,
            ["QazBus:Storage:Provider"] = "Postgres",
            ["QazBus:Storage:ConnectionString"] = Postgres.ConnectionString,
            ["QazBus:Storage:Schema"] = schema,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddQazBusGateway();
        var app = builder.Build();
        app.MapQazBusGateway();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var gateway = new RunningGateway(app, new Uri(address), schema, Postgres);
        _owned.Add(gateway);
        return gateway;
    }

    /// <summary>An HttpClient that presents <paramref name="apiKey"/>.</summary>
    public static HttpClient Client(RunningGateway gateway, string? apiKey)
    {
        var client = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>The repository's registry, with gateway API keys (their SHA-256) for the two sample systems.</summary>
    private void WriteRegistry()
    {
        var registry = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "registry.json")))!;
        foreach (var system in registry["systems"]!.AsArray())
        {
            var key = (string)system!["id"]! == "mju.population-registry" ? PopulationKey : TaxKey;
            system["gateway"] = new JsonObject
            {
                ["apiKeys"] = new JsonArray(new JsonObject
                {
                    ["id"] = "test",
                    ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))),
                }),
            };
        }

        File.WriteAllText(RegistryPath, registry.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        if (_provider is not null)
        {
            await _provider.StopAsync();
            _provider.Dispose();
        }

        File.Delete(RegistryPath);
        await Postgres.DisposeAsync();
        await Broker.DisposeAsync();
    }

    /// <summary>The provider's handler: a card for most IINs, no-data for one, a late answer for another.</summary>
    private sealed class CitizenByIinTestHandler : IQueryHandler<CitizenByIin, CitizenCard>
    {
        public async Task<CitizenCard> HandleAsync(CitizenByIin request, QueryContext context, CancellationToken cancellationToken)
        {
            if (request.Iin == UnknownIin)
            {
                throw new NoDataException("The registry has no citizen with this IIN.");
            }

            if (request.Iin == SlowIin)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            }

            return new CitizenCard
            {
                Iin = request.Iin,
                LastName = "Test",
                FirstName = "Citizen",
                BirthDate = new DateOnly(1990, 1, 1),
                UpdatedAt = DateTimeOffset.UtcNow,
            };
        }
    }
}

/// <summary>A gateway started by a test, with its database schema.</summary>
public sealed class RunningGateway(WebApplication app, Uri address, string schema, PostgresFixture postgres) : IAsyncDisposable
{
    public Uri Address { get; } = address;

    public string Schema { get; } = schema;

    public IServiceProvider Services => app.Services;

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // A test disposes its own gateway; the fixture disposes every gateway again at the end.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await app.StopAsync();
        await app.DisposeAsync();
        await postgres.DropSchemaAsync(Schema);
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
