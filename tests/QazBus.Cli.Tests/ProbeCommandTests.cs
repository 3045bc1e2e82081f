using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.Signing;
using QazBus.TestSupport;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace QazBus.Cli.Tests;

/// <summary>
/// <c>qazbus probe</c> on the real broker, each test in a vhost of its own: a QazBus publisher sends, the probe (run
/// in-process, as the other CLI tests do) prints what arrived.
/// </summary>
public sealed class ProbeCommandTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const string Iin = "900102300123";
    private const string Street = "Mangilik El 8";

    private static AddressChanged Sample() => new()
    {
        Iin = Iin,
        NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = Street },
        ValidFrom = new DateOnly(2026, 12, 1),
    };

    [Fact]
    public async Task The_probe_prints_the_headers_and_the_body_of_an_AddressChanged_with_iin_and_newAddress_masked()
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();
        using var registry = await StartSignedPublisherAsync(vhost.Uri);

        var run = await ProbeWhilePublishingAsync(registry, vhost.Uri);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("=== message 1 from exchange mju.population.address-changed.v1", run.Output, StringComparison.Ordinal);
        Assert.Contains("  content-type: application/json\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("  delivery-mode: 2 (persistent)\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("  app-id: mju.population-registry\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("  cloudEvents:type: mju.population.address-changed\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("  cloudEvents:source: mju.population-registry\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("  cloudEvents:dataschema: urn:qazbus:contract:mju.population.address-changed:v1\n", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"  traceparent: 00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\n", run.Output);
        Assert.Contains("  qazbus-signature-key: mju.population-registry/2026-12\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("  qazbus-signature: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"iin\": \"***\"", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"newAddress\": \"***\"", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"validFrom\": \"2026-12-01\"", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Iin, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Street, run.Output, StringComparison.Ordinal);
        Assert.Contains("personal data masked (iin, newAddress)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_show_personal_data_the_body_is_printed_unmasked_and_stderr_says_so()
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();
        using var registry = await StartSignedPublisherAsync(vhost.Uri);

        var run = await ProbeWhilePublishingAsync(registry, vhost.Uri, "--show-personal-data");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"\"iin\": \"{Iin}\"", run.Output, StringComparison.Ordinal);
        Assert.Contains($"\"street\": \"{Street}\"", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("***", run.Output, StringComparison.Ordinal);
        Assert.Contains("warning: --show-personal-data: bodies are printed unmasked, personal data included (iin, newAddress)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_contract_without_an_exchange_is_an_error_saying_nobody_declared_it()
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();

        var run = await Cli.RunInRepositoryAsync("probe", "mju.population.address-changed", "--uri", vhost.Uri, "--count", "1", "--timeout", "5");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith(
            "error: Contract 'mju.population.address-changed' v1 has no exchange yet: 'mju.population.address-changed.v1' does not exist on vhost",
            run.Error,
            StringComparison.Ordinal);
        Assert.Contains("(nobody declared it)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Access_refused_names_the_user_and_what_to_grant_and_the_grant_it_names_is_enough()
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();
        using var registry = await StartSignedPublisherAsync(vhost.Uri);
        await registry.Services.GetRequiredService<IContractPublisher>().PublishAsync(Sample()); // declares the exchange
        // May declare, bind and consume its own server-named queue, but not read the contract's exchange.
        await using var user = await Broker.CreateUserAsync(vhost, @"^amq\.gen-.*", @"^amq\.gen-.*", @"^amq\.gen-.*");

        var refused = await Cli.RunInRepositoryAsync("probe", "mju.population.address-changed", "--uri", user.Uri, "--timeout", "5");

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains($"error: RabbitMQ refused user '{user.Name}' on vhost", refused.Error, StringComparison.Ordinal);
        Assert.Contains("to bind the temporary queue", refused.Error, StringComparison.Ordinal);
        Assert.Contains("ACCESS_REFUSED", refused.Error, StringComparison.Ordinal);
        Assert.Contains(
            $"grant '{user.Name}' on vhost '{new Uri(vhost.Uri).AbsolutePath.Trim('/')}' configure and write on '^amq\\.gen-.*' and read on '^amq\\.gen-.*' and '^mju\\.population\\.address-changed\\.v1$'",
            refused.Error,
            StringComparison.Ordinal);

        // What the message says to grant, as one read regex.
        await user.SetPermissionsAsync(@"^amq\.gen-.*", @"^amq\.gen-.*", @"^amq\.gen-.*|^mju\.population\.address-changed\.v1$");
        var granted = await Cli.RunInRepositoryAsync("probe", "mju.population.address-changed", "--uri", user.Uri, "--timeout", "1");
        Assert.True(granted.ExitCode == 0, granted.ToString());
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_described_masked_and_printed_with_show_personal_data()
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();
        await using var connection = await new ConnectionFactory { Uri = new Uri(vhost.Uri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // What a careless non-.NET publisher might send; the probe must not crash on it.
        await channel.ExchangeDeclareAsync("mju.population.address-changed.v1", ExchangeType.Fanout, durable: true);
        var body = Encoding.UTF8.GetBytes($"iin={Iin};oops");
        Task Publish() => channel.BasicPublishAsync("mju.population.address-changed.v1", string.Empty, body).AsTask();

        var masked = await ProbeWhilePublishingAsync(Publish, vhost.Uri);
        var shown = await ProbeWhilePublishingAsync(Publish, vhost.Uri, "--show-personal-data");

        Assert.True(masked.ExitCode == 0, masked.ToString());
        Assert.Contains($"body: not JSON ({body.Length} bytes; invalid at line 1, byte 1): not printed, since personal data in it cannot be masked", masked.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Iin, masked.Output, StringComparison.Ordinal);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains($"body: not JSON ({body.Length} bytes; invalid at line 1, byte 1), as text:\niin={Iin};oops\n", shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fewer_messages_than_count_within_the_timeout_exit_1()
    {
        await using var vhost = await Broker.CreateVirtualHostAsync();
        using var registry = await StartSignedPublisherAsync(vhost.Uri);
        await registry.Services.GetRequiredService<IContractPublisher>().PublishAsync(Sample()); // declares the exchange

        var run = await Cli.RunInRepositoryAsync("probe", "mju.population.address-changed", "--uri", vhost.Uri, "--count", "1", "--timeout", "1");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("error: only 0 messages of 1 arrived at mju.population.address-changed.v1", run.Error, StringComparison.Ordinal);
    }

    /// <summary>The population registry as a QazBus host that signs what it sends, so the qazbus-signature headers show.</summary>
    private async Task<Microsoft.Extensions.Hosting.IHost> StartSignedPublisherAsync(string uri)
    {
        Output.WriteLine($"Using {Broker.Description}");
        var (privatePem, publicPem) = MessageSignature.CreateKeyPair();
        var keyFile = Path.Combine(Directory.CreateTempSubdirectory("qazbus-probe-").FullName, "signing.pem");
        await File.WriteAllTextAsync(keyFile, privatePem);
        var host = TestHosts.Build(
            "mju.population-registry",
            uri,
            settings: new Dictionary<string, string?>
            {
                ["QazBus:Signing:Mode"] = "Sign",
                ["QazBus:Signing:KeyId"] = "mju.population-registry/2026-12",
                ["QazBus:Signing:PrivateKeyPath"] = keyFile,
            },
            services: s => s.AddSingleton<ITrustedKeyStore>(new InMemoryTrustedKeyStore().Add("mju.population-registry", "mju.population-registry/2026-12", publicPem)));
        await host.StartAsync();
        return host;
    }

    private Task<CliRun> ProbeWhilePublishingAsync(Microsoft.Extensions.Hosting.IHost publisher, string uri, params string[] extra)
    {
        var contracts = publisher.Services.GetRequiredService<IContractPublisher>();
        return ProbeWhilePublishingAsync(() => contracts.PublishAsync(Sample()), uri, extra);
    }

    /// <summary>
    /// Starts the probe for one message and publishes until it has seen one: the probe binds its queue a moment after
    /// it starts, and what is published before reaches no queue. The first publish declares the exchange, before the
    /// probe looks for it.
    /// </summary>
    private async Task<CliRun> ProbeWhilePublishingAsync(Func<Task> publish, string uri, params string[] extra)
    {
        await publish();
        var probe = Cli.RunInRepositoryAsync(["probe", "mju.population.address-changed", "--uri", uri, "--count", "1", "--timeout", "30", .. extra]);
        while (!probe.IsCompleted)
        {
            await publish();
            await Task.WhenAny(probe, Task.Delay(TimeSpan.FromMilliseconds(250)));
        }

        var run = await probe;
        Output.WriteLine(run.ToString());
        return run;
    }
}
