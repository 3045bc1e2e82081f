using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Signing;
using QazBus.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.MassTransit.Tests;

/// <summary>With signing on, a MassTransit publisher signs with the system's key (the SDK's signer) and a MassTransit endpoint verifies as the SDK does.</summary>
public sealed class SigningTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output), IDisposable
{
    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("qazbus-mt-keys-").FullName;

    public void Dispose() => Directory.Delete(_keyDirectory, recursive: true);

    [Fact]
    public async Task A_signed_MassTransit_message_flows_and_a_forged_signature_is_dead_lettered()
    {
        var registryKey = NewKey("mju.population-registry");
        var taxKey = NewKey("kgd.tax-office");
        using var trusted = new InMemoryTrustedKeyStore()
            .Add("mju.population-registry", registryKey.KeyId, registryKey.PublicPem)
            .Add("kgd.tax-office", taxKey.KeyId, taxKey.PublicPem);
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var queue = $"{system}.{MassTransitHosts.Endpoint}";
        var received = new Received();
        using var consumer = MassTransitHosts.Build(system, Uri, received, Signing(taxKey.KeyId, taxKey.Path), s => s.AddSingleton<ITrustedKeyStore>(trusted));
        using var publisher = MassTransitHosts.BuildPublisher("mju.population-registry", Uri, Signing(registryKey.KeyId, registryKey.Path), s => s.AddSingleton<ITrustedKeyStore>(trusted));
        await consumer.StartAsync();
        await publisher.StartAsync();

        // Signed by the MassTransit publisher, verified by the MassTransit endpoint.
        await publisher.Services.GetRequiredService<IPublishEndpoint>().Publish(new AddressChanged
        {
            Iin = "900102300123",
            NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Turan 10" },
            ValidFrom = new DateOnly(2026, 12, 1),
        });
        var signed = await received.WaitForAsync(_ => true);
        Assert.Equal(nameof(AddressConsumer), signed.Consumer);

        // The tax office's key signing a message that claims the population registry as its source: forged.
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var id = $"forged-{TestHosts.Unique()}";
        var headers = BadInputTests.Headers(id);
        headers["cloudEvents:time"] = DateTimeOffset.UtcNow.ToString("O");
        var body = Encoding.UTF8.GetBytes("""{"iin":"900102300123","newAddress":{"region":"Astana","locality":"Astana","street":"Turan 10"},"validFrom":"2026-12-01"}""");
        using (var taxPrivate = System.Security.Cryptography.ECDsa.Create())
        {
            taxPrivate.ImportFromPem(File.ReadAllText(taxKey.Path));
            headers[MessageSignature.KeyHeader] = registryKey.KeyId;
            headers[MessageSignature.SignatureHeader] = MessageSignature.Sign(taxPrivate, MessageSignature.SignedData(
                id, "mju.population-registry", "mju.population.address-changed", "urn:qazbus:contract:mju.population.address-changed:v1", (string)headers["cloudEvents:time"]!, body));
        }

        await channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties { ContentType = "application/json", Persistent = true, Headers = headers }, body);
        var dead = await BadInputTests.GetAsync(channel, $"{queue}_error");
        var reason = Encoding.UTF8.GetString((byte[])dead.BasicProperties.Headers!["qazbus-error-reason"]!);
        Output.WriteLine($"forged: {reason}: {Encoding.UTF8.GetString((byte[])dead.BasicProperties.Headers!["qazbus-error-message"]!)}");
        Assert.Equal("signature-invalid", reason);
        Assert.DoesNotContain(received.Items, r => r.CloudEventsId == id);
        await publisher.StopAsync();
        await consumer.StopAsync();
        await channel.QueueDeleteAsync(queue);
        await channel.QueueDeleteAsync($"{queue}_error");
    }

    private (string KeyId, string Path, string PublicPem) NewKey(string system)
    {
        var (privatePem, publicPem) = MessageSignature.CreateKeyPair();
        var path = System.IO.Path.Combine(_keyDirectory, $"{system}.pem");
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
}
