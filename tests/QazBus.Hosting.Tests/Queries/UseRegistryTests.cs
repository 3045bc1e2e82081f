using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Contracts.Population;
using QazBus.Hosting.Tests.Support;
using QazBus.Queries;
using QazBus.Schemas.Keys;
using QazBus.Schemas.Queries;
using QazBus.Signing;
using QazBus.TestSupport;
using QazBus.Transport.InMemory;

namespace QazBus.Hosting.Tests.Queries;

/// <summary>
/// <c>UseRegistry()</c>: the registry file at <c>QazBus:Registry</c> gives a provider its approved requesters and every
/// system the keys it verifies signatures with; a bad setting or file stops the host at start, naming the key and the line.
/// </summary>
public sealed class UseRegistryTests : IDisposable
{
    private const string Iin = "900102300123";

    private readonly string _directory = Directory.CreateTempSubdirectory("qazbus-use-registry-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string LiveRegistry => Repository.PathOf("deploy/registry/registry.json");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static IHost Provider(InMemoryBroker broker, IDictionary<string, string?> settings) =>
        TestHosts.Build("mju.population-registry", null,
            bus => bus.AddQueryHandler<CitizenByIin, CitizenCard, CardHandler>("citizen-queries").UseRegistry(),
            settings, s => s.AddSingleton(broker));

    private static IHost Requester(string system, InMemoryBroker broker, IDictionary<string, string?>? settings = null, bool useRegistry = false) =>
        TestHosts.Build(system, null, bus =>
        {
            if (useRegistry)
            {
                bus.UseRegistry();
            }
        }, settings, s => s.AddSingleton(broker));

    private static Task<CitizenCard> AskAsync(IHost requester) =>
        requester.Services.GetRequiredService<IQueryClient>().RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = Iin }, TimeSpan.FromSeconds(10));

    [Fact]
    public async Task The_provider_answers_an_approved_requester_and_refuses_a_system_the_registry_does_not_name()
    {
        var broker = new InMemoryBroker();
        var settings = new Dictionary<string, string?> { ["QazBus:Registry"] = LiveRegistry };
        var taxOffice = Requester("kgd.tax-office", broker);
        var customs = Requester("kgd.customs", broker);
        await using var hosts = await WorkerHosts.StartAsync(Provider(broker, settings), taxOffice, customs);

        var card = await AskAsync(taxOffice);
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => AskAsync(customs));

        Assert.Equal(Iin, card.Iin);
        Assert.Equal("mju.population-registry", refused.Provider);
        Assert.Contains("'kgd.customs' is not an approved requester of query 'mju.population.citizen-by-iin' v1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_works_with_the_registrys_keys_by_configuration_alone()
    {
        using var mjuKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var kgdKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var registry = JsonNode.Parse(File.ReadAllText(LiveRegistry))!.AsObject();
        foreach (var system in registry["systems"]!.AsArray())
        {
            var key = (string)system!["id"]! == "mju.population-registry" ? mjuKey : kgdKey;
            system["publicKeys"] = new JsonArray(new JsonObject
            {
                ["id"] = "2026-12",
                ["algorithm"] = "ecdsa-p256",
                ["key"] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()),
            });
        }

        var path = Write("registry.json", registry.ToJsonString());
        Dictionary<string, string?> Signed(ECDsa key, string name) => new()
        {
            ["QazBus:Registry"] = path,
            ["QazBus:Signing:Mode"] = "Required",
            ["QazBus:Signing:KeyId"] = "2026-12",
            ["QazBus:Signing:PrivateKeyPath"] = Write(name, key.ExportPkcs8PrivateKeyPem()),
        };
        var broker = new InMemoryBroker();
        var provider = Provider(broker, Signed(mjuKey, "mju.pem"));
        var taxOffice = Requester("kgd.tax-office", broker, Signed(kgdKey, "kgd.pem"), useRegistry: true);
        await using var hosts = await WorkerHosts.StartAsync(provider, taxOffice);

        var card = await AskAsync(taxOffice);

        // The provider verified the request's signature against the registry's key (Required refuses an unsigned
        // request or an unknown key), and the tax office has the population registry's key to verify the answer.
        Assert.Equal(Iin, card.Iin);
        Assert.NotNull(provider.Services.GetRequiredService<ITrustedKeyStore>().Find("kgd.tax-office", "2026-12"));
        Assert.NotNull(taxOffice.Services.GetRequiredService<ITrustedKeyStore>().Find("mju.population-registry", "2026-12"));
    }

    [Fact]
    public void A_trusted_key_store_registered_already_is_kept_and_the_policy_is_the_registrys()
    {
        var own = new InMemoryTrustedKeyStore();
        using var host = TestHosts.Build("mju.population-registry", null, bus => bus.UseRegistry(),
            new Dictionary<string, string?> { ["QazBus:Registry"] = LiveRegistry },
            s => s.AddSingleton<ITrustedKeyStore>(own));

        Assert.Same(own, host.Services.GetRequiredService<ITrustedKeyStore>());
        var policy = host.Services.GetRequiredService<IQueryAccessPolicy>();
        Assert.True(policy.MayAsk("kgd.tax-office", "mju.population.citizen-by-iin", 1));
        Assert.False(policy.MayAsk("kgd.customs", "mju.population.citizen-by-iin", 1));
    }

    [Fact]
    public async Task Without_the_setting_the_host_stops_naming_it()
    {
        using var host = Provider(new InMemoryBroker(), new Dictionary<string, string?>());

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("QazBus:Registry is required by UseRegistry()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_stops_the_host_naming_the_setting_and_the_file()
    {
        var missing = Path.Combine(_directory, "missing.json");
        using var host = Provider(new InMemoryBroker(), new Dictionary<string, string?> { ["QazBus:Registry"] = missing });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"QazBus:Registry '{missing}' cannot be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_file_stops_the_host_naming_the_setting_and_the_line()
    {
        var path = Write("registry.json", "{\n  \"agencies\": [\n    { \"code\": \"mju\" \"name\": \"x\" }\n  ]\n}\n");
        using var host = Provider(new InMemoryBroker(), new Dictionary<string, string?> { ["QazBus:Registry"] = path });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"QazBus:Registry '{path}' is not a valid registry: {path}:3: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_public_key_that_does_not_decode_stops_the_host_naming_its_line()
    {
        var registry = JsonNode.Parse(File.ReadAllText(LiveRegistry))!.AsObject();
        registry["systems"]![1]!["publicKeys"] = JsonNode.Parse("""[{ "id": "2026-12", "algorithm": "ecdsa-p256", "key": "not base64!" }]""");
        var text = registry.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var path = Write("registry.json", text);
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains("not base64!", StringComparison.Ordinal)) + 1;
        using var host = Provider(new InMemoryBroker(), new Dictionary<string, string?> { ["QazBus:Registry"] = path });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"{path}:{line}: $.systems[1].publicKeys[0].key: key '2026-12' of system 'kgd.tax-office': is not Base64", error.Message, StringComparison.Ordinal);
    }

    private sealed class CardHandler : IQueryHandler<CitizenByIin, CitizenCard>
    {
        public Task<CitizenCard> HandleAsync(CitizenByIin request, QueryContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new CitizenCard
            {
                Iin = request.Iin,
                LastName = "Abaiuly",
                FirstName = "Arman",
                BirthDate = new DateOnly(1990, 1, 2),
                UpdatedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
            });
    }
}

/// <summary><c>UseRegistry()</c> follows the file: a change takes effect without a restart; a broken change does not.</summary>
public sealed class RegistryReloadTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qazbus-registry-reload-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_requester_approved_in_the_changed_file_is_answered_without_a_restart_and_a_broken_change_keeps_the_last_good_registry()
    {
        var live = JsonNode.Parse(File.ReadAllText(Repository.PathOf("deploy/registry/registry.json")))!.AsObject();
        live["systems"]!.AsArray().Add(new JsonObject { ["id"] = "kgd.customs", ["name"] = "Customs (test)", ["owner"] = "test" });
        var path = Path.Combine(_directory, "registry.json");
        File.WriteAllText(path, live.ToJsonString());

        var broker = new InMemoryBroker();
        var log = new Lines();
        var provider = TestHosts.Build("mju.population-registry", null,
            bus => bus.AddQueryHandler<CitizenByIin, CitizenCard, Cards>("citizen-queries").UseRegistry(),
            new Dictionary<string, string?> { ["QazBus:Registry"] = path }, s => s.AddSingleton(broker).AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(log)
                .AddLogging(logging => logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Information)));
        var customs = TestHosts.Build("kgd.customs", null, services: s => s.AddSingleton(broker));
        await using var hosts = await WorkerHosts.StartAsync(provider, customs);
        Task<CitizenCard> Ask() => customs.Services.GetRequiredService<IQueryClient>().RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = "900102300123" }, TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<AccessDeniedException>(Ask);

        // The registry approves customs: within the check interval the provider answers it.
        var query = live["queries"]!.AsArray()[0]!.AsObject();
        query["requesters"]!.AsArray().Add(new JsonObject { ["system"] = "kgd.customs", ["approved"] = "2026-12-03", ["basis"] = "test" });
        File.WriteAllText(path, live.ToJsonString());
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(1));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        CitizenCard? card = null;
        while (card is null)
        {
            try
            {
                card = await Ask();
            }
            catch (AccessDeniedException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(250);
            }
        }

        Assert.Contains(log.All, line => line.Contains("changed: its approved requesters and public keys are in force", StringComparison.Ordinal));

        // A broken change (not JSON) is refused and logged; the last good registry, with customs approved, stays in force.
        File.WriteAllText(path, "{ not a registry");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(2));
        until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!log.All.Any(line => line.Contains("cannot be used; the last good registry stays in force", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < until, "the broken registry file was never looked at: " + string.Join(" | ", log.All));
            Assert.Equal("900102300123", (await Ask()).Iin);
            await Task.Delay(250);
        }

        Assert.Equal("900102300123", (await Ask()).Iin);
    }

    private sealed class Lines : Microsoft.Extensions.Logging.ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IReadOnlyCollection<string> All => _lines.ToArray();

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(_lines);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }

    private sealed class Cards : IQueryHandler<CitizenByIin, CitizenCard>
    {
        public Task<CitizenCard> HandleAsync(CitizenByIin request, QueryContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new CitizenCard { Iin = request.Iin, LastName = "Абаев", FirstName = "Нұрлан", BirthDate = new DateOnly(1990, 1, 1), UpdatedAt = DateTimeOffset.UtcNow });
    }
}
