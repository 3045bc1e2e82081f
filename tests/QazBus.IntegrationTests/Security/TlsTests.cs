using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Contracts.Population;
using QazBus.Naming;
using QazBus.Publishing;
using QazBus.TestSupport;
using QazBus.Transport;
using QazBus.Transport.RabbitMq;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Security;

/// <summary>TLS to a real broker with a TLS listener, trusting the state's own certificate authority.</summary>
public sealed class TlsTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    [Fact]
    public async Task A_system_publishes_and_consumes_over_amqps_trusting_only_the_configured_authority()
    {
        var (broker, amqps, caPath, otherCaPath) = await StartTlsBrokerAsync();
        await using var _ = broker;

        var sink = new MessageSink<AddressChanged>();
        var tls = new Dictionary<string, string?> { ["QazBus:RabbitMq:Tls:CaCertificatePath"] = caPath };
        using var taxOffice = TestHosts.Build("kgd.tax-office", amqps,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            settings: tls, services: s => s.AddSingleton(sink));
        using var registry = TestHosts.Build("mju.population-registry", amqps, settings: tls);
        await taxOffice.StartAsync();
        await registry.StartAsync();
        var id = await registry.Services.GetRequiredService<IContractPublisher>().PublishAsync(new AddressChanged
        {
            Iin = "900102300123",
            NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Kabanbay Batyr 2" },
            ValidFrom = new DateOnly(2026, 12, 1),
        });
        await sink.WaitForAsync((_, c) => c.MessageId == id);
        await registry.StopAsync();
        await taxOffice.StopAsync();

        // A broker certificate from another authority is refused: the connection never opens.
        using var impostor = TestHosts.Build("mju.population-registry", amqps, settings: new Dictionary<string, string?>
        {
            ["QazBus:RabbitMq:Tls:CaCertificatePath"] = otherCaPath,
            ["QazBus:RabbitMq:ConnectTimeout"] = "00:00:03",
        });
        var refused = await Assert.ThrowsAsync<BrokerConnectionException>(() => impostor.StartAsync());
        Output.WriteLine(refused.Message);
        Assert.Equal(BrokerConnectionFailure.CertificateNotTrusted, refused.Failure);
        Assert.Contains("not trusted by the configured authority", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_lists_dead_letters_over_amqps_trusting_only_the_configured_authority()
    {
        var (broker, amqps, caPath, otherCaPath) = await StartTlsBrokerAsync();
        await using var _ = broker;
        const string queue = "kgd.tax-office.address-changes";
        var transport = new RabbitMqTransport(
            Options.Create(new QazBusOptions { System = "kgd.tax-office", Transport = TransportKind.RabbitMq, RabbitMq = { Uri = amqps, Tls = { CaCertificatePath = caPath } } }),
            NullLogger<RabbitMqTransport>.Instance);
        await using (transport)
        {
            await transport.DeclareEndpointAsync(queue, [], CancellationToken.None);
            await transport.SendToErrorQueueAsync(BusNames.ErrorQueue(queue), new TransportMessage
            {
                Body = "{}"u8.ToArray(),
                MessageId = "tls-dead-letter-1",
                Headers = { [QazBus.Wire.WireHeaders.ErrorReason] = "handler-failed" },
            }, CancellationToken.None);
        }

        var (listed, output) = await QazBusTool.RunAsync(Output, "errors", "list", queue, "--ca", caPath, "--uri", amqps);
        Assert.True(listed == 0, output);
        Assert.Contains("tls-dead-letter-1", output, StringComparison.Ordinal);

        // A broker certificate the configured authority did not sign is refused at once, and said so.
        var (refused, refusal) = await QazBusTool.RunAsync(Output, "errors", "list", queue, "--ca", otherCaPath, "--connect-timeout", "00:00:05", "--uri", amqps);
        Assert.NotEqual(0, refused);
        Assert.Contains("not trusted by the configured authority", refusal, StringComparison.Ordinal);
        Assert.Contains(otherCaPath, refusal, StringComparison.Ordinal);
    }

    // A private broker with a TLS listener whose certificate the test CA signed.
    private async Task<(PrivateRabbitMq Broker, string Amqps, string CaPath, string OtherCaPath)> StartTlsBrokerAsync()
    {
        var port = FreePort();
        var folder = Directory.CreateTempSubdirectory("qazbus-tls-").FullName;
        var (caPath, otherCaPath) = WriteCertificates(folder);
        var broker = await PrivateRabbitMq.StartNewAsync(Output.WriteLine, home => File.WriteAllText(Path.Combine(home, "extra.conf"), $"""
            listeners.ssl.default = 127.0.0.1:{port}
            ssl_options.cacertfile = {Path.Combine(folder, "ca.pem")}
            ssl_options.certfile = {Path.Combine(folder, "server.pem")}
            ssl_options.keyfile = {Path.Combine(folder, "server.key")}
            ssl_options.verify = verify_none
            ssl_options.fail_if_no_peer_cert = false

            """));
        return (broker, $"amqps://guest:guest@localhost:{port}/", caPath, otherCaPath);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // A test CA and a server certificate for localhost, and a second CA that signed nothing.
    private static (string CaPath, string OtherCaPath) WriteCertificates(string folder)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=QazBus test state CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(8));

        using var otherKey = RSA.Create(2048);
        var otherRequest = new CertificateRequest("CN=Some other CA", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = otherRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        File.WriteAllText(Path.Combine(folder, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "server.key"), serverKey.ExportRSAPrivateKeyPem());
        File.WriteAllText(Path.Combine(folder, "other-ca.pem"), other.ExportCertificatePem());
        return (Path.Combine(folder, "ca.pem"), Path.Combine(folder, "other-ca.pem"));
    }
}
