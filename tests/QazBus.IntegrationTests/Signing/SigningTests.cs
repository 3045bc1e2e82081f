using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.Signing;
using QazBus.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Signing;

/// <summary>Each system signs what it sends; consumers verify against the registry's public keys. On the real broker.</summary>
public sealed class SigningTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output), IDisposable
{
    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("qazbus-keys-").FullName;

    public void Dispose() => Directory.Delete(_keyDirectory, recursive: true);

    private (string KeyId, string PrivatePath, string PublicPem) NewKey(string system)
    {
        var (privatePem, publicPem) = MessageSignature.CreateKeyPair();
        var path = Path.Combine(_keyDirectory, $"{system}.pem");
        File.WriteAllText(path, privatePem);
        return ($"{system}/2026-11", path, publicPem);
    }

    private static Dictionary<string, string?> Signing(string keyId, string path) => new()
    {
        ["QazBus:Signing:Mode"] = "Required",
        ["QazBus:Signing:KeyId"] = keyId,
        ["QazBus:Signing:PrivateKeyPath"] = path,
        ["QazBus:Retry:Delays"] = "none",
    };

    [Fact]
    public async Task A_signed_message_flows_and_forged_altered_old_or_unsigned_ones_are_rejected_with_the_reason()
    {
        var registryKey = NewKey("mju.population-registry");
        var taxKey = NewKey("kgd.tax-office");
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var queue = $"{system}.address-changes";
        using var trusted = new InMemoryTrustedKeyStore()
            .Add("mju.population-registry", registryKey.KeyId, registryKey.PublicPem)
            .Add("kgd.tax-office", taxKey.KeyId, taxKey.PublicPem);

        var sink = new MessageSink<AddressChanged>();
        using var consumer = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            settings: Signing(taxKey.KeyId, taxKey.PrivatePath),
            services: s => s.AddSingleton(sink).AddSingleton<ITrustedKeyStore>(trusted));
        using var registry = TestHosts.Build("mju.population-registry", Uri,
            settings: Signing(registryKey.KeyId, registryKey.PrivatePath),
            services: s => s.AddSingleton<ITrustedKeyStore>(trusted));
        await consumer.StartAsync();
        await registry.StartAsync();

        // A valid signed message flows.
        var valid = await registry.Services.GetRequiredService<IContractPublisher>().PublishAsync(new AddressChanged
        {
            Iin = "900102300123",
            NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Turan 10" },
            ValidFrom = new DateOnly(2026, 12, 1),
        });
        await sink.WaitForAsync((_, c) => c.MessageId == valid);

        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var body = """{"iin":"900102300123","newAddress":{"region":"Astana","locality":"Astana","street":"Turan 10"},"validFrom":"2026-12-01"}""";
        var now = DateTimeOffset.UtcNow.ToString("O");

        async Task<string> Send(string id, string source, string time, string signedBody, string sentBody, string? keyId, string? keyPath)
        {
            var headers = new Dictionary<string, object?>
            {
                ["cloudEvents:specversion"] = "1.0",
                ["cloudEvents:id"] = id,
                ["cloudEvents:source"] = source,
                ["cloudEvents:type"] = "mju.population.address-changed",
                ["cloudEvents:time"] = time,
                ["cloudEvents:dataschema"] = "urn:qazbus:contract:mju.population.address-changed:v1",
            };
            if (keyId is not null && keyPath is not null)
            {
                using var key = System.Security.Cryptography.ECDsa.Create();
                key.ImportFromPem(await File.ReadAllTextAsync(keyPath));
                var data = MessageSignature.SignedData(id, source, "mju.population.address-changed",
                    "urn:qazbus:contract:mju.population.address-changed:v1", time, Encoding.UTF8.GetBytes(signedBody));
                headers[MessageSignature.KeyHeader] = keyId;
                headers[MessageSignature.SignatureHeader] = MessageSignature.Sign(key, data);
            }

            await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { ContentType = "application/json", Headers = headers }, Encoding.UTF8.GetBytes(sentBody));
            return id;
        }

        var cases = new Dictionary<string, string>
        {
            // The tax office signs with its own (registered) key but claims to be the population registry.
            [await Send("forged", "mju.population-registry", now, body, body, taxKey.KeyId, taxKey.PrivatePath)] = "signature-invalid",
            // Signed by the registry, then the street was changed on the way.
            [await Send("altered", "mju.population-registry", now, body, body.Replace("Turan 10", "Turan 11", StringComparison.Ordinal), registryKey.KeyId, registryKey.PrivatePath)] = "signature-invalid",
            // A valid signature on a message from 30 days ago: a replay.
            [await Send("old", "mju.population-registry", DateTimeOffset.UtcNow.AddDays(-30).ToString("O"), body, body, registryKey.KeyId, registryKey.PrivatePath)] = "signature-expired",
            [await Send("unsigned", "mju.population-registry", now, body, body, null, null)] = "signature-missing",
        };
        var good = await Send("good-plain-client", "mju.population-registry", now, body, body, registryKey.KeyId, registryKey.PrivatePath);
        await sink.WaitForAsync((_, c) => c.MessageId == good);

        for (var i = 0; i < cases.Count; i++)
        {
            var dead = await BrokerProbe.TakeAsync(channel, $"{queue}_error");
            var id = BrokerProbe.Header(dead, "cloudEvents:id")!;
            Output.WriteLine($"{id}: {BrokerProbe.Header(dead, "qazbus-error-reason")}: {BrokerProbe.Header(dead, "qazbus-error-message")}");
            Assert.Equal(cases[id], BrokerProbe.Header(dead, "qazbus-error-reason"));
        }

        Assert.DoesNotContain(sink.Received, r => cases.ContainsKey(r.Context.MessageId));
        await registry.StopAsync();
        await consumer.StopAsync();
        await BrokerProbe.DeleteEndpointAsync(connection, queue);
    }

    [Fact]
    public async Task A_missing_private_key_stops_the_host_naming_the_setting()
    {
        using var host = TestHosts.Build("mju.population-registry", Uri, settings: Signing("mju.population-registry/x", "/nonexistent/key.pem"));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains("QazBus:Signing:PrivateKeyPath", failure.Message, StringComparison.Ordinal);
    }
}
