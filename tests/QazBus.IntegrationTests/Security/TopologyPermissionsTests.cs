using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Naming;
using QazBus.Publishing;
using QazBus.Schemas.Registry;
using QazBus.Schemas.Topology;
using QazBus.TestSupport;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Security;

/// <summary>
/// Each agency in its own lane, enforced by the broker: the definitions generated from the registry are loaded
/// into the real broker, and each system connects as its own user.
/// </summary>
public sealed class TopologyPermissionsTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    [Fact]
    public void The_committed_definitions_are_the_ones_generated_from_the_registry()
    {
        var generated = TopologyGenerator.ToJson(TopologyGenerator.Generate(RepositoryFiles.SampleRegistry(), "qazbus"));
        var committed = File.ReadAllText(RepositoryFiles.Find("deploy/rabbitmq/definitions.json"));
        Assert.True(generated == committed, "deploy/rabbitmq/definitions.json is stale: run `dotnet run --project src/QazBus.Cli -- topology --out deploy/rabbitmq/definitions.json`");
    }

    [Fact]
    public async Task Systems_are_refused_outside_their_lane_and_the_permitted_flows_work()
    {
        var management = Environment.GetEnvironmentVariable("QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI")
            ?? throw new InvalidOperationException("QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI is not set: run the tests with ./build.sh test, which starts RabbitMQ with its management API.");
        var vhost = $"qazbus-test-{TestHosts.Unique()}";
        var passwords = new Dictionary<string, string>
        {
            ["mju.population-registry"] = Guid.NewGuid().ToString("N"),
            ["kgd.tax-office"] = Guid.NewGuid().ToString("N"),
        };
        var json = TopologyGenerator.ToJson(TopologyGenerator.Generate(RepositoryFiles.SampleRegistry(), vhost, passwords));

        using var http = new HttpClient { BaseAddress = new Uri(management) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        using (var response = await http.PostAsync("api/definitions", new StringContent(json, Encoding.UTF8, "application/json")))
        {
            Assert.True(response.IsSuccessStatusCode, $"import_definitions answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        try
        {
            var broker = new Uri(Uri);
            string As(string system) => $"amqp://{system}:{passwords[system]}@{broker.Host}:{broker.Port}/{vhost}";

            // The population registry cannot read the tax office's queue...
            await using (var mju = await new ConnectionFactory { Uri = new Uri(As("mju.population-registry")) }.CreateConnectionAsync())
            {
                await using var channel = await mju.CreateChannelAsync();
                var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
                    channel.BasicConsumeAsync("kgd.tax-office.address-changes", autoAck: false, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel)));
                AssertAccessRefused(refused, "consume another system's queue");
            }

            // ...nor bind a queue of its own to a contract it is not subscribed to.
            await using (var mju = await new ConnectionFactory { Uri = new Uri(As("mju.population-registry")) }.CreateConnectionAsync())
            {
                await using var channel = await mju.CreateChannelAsync();
                await channel.QueueDeclareAsync("mju.population-registry.snoop", durable: true, exclusive: false, autoDelete: false,
                    arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
                var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
                    channel.QueueBindAsync("mju.population-registry.snoop", "mju.population.address-changed.v1", string.Empty));
                AssertAccessRefused(refused, "bind to a contract it is not subscribed to");
            }

            // The tax office cannot publish a contract its agency does not own.
            await using (var kgd = await new ConnectionFactory { Uri = new Uri(As("kgd.tax-office")) }.CreateConnectionAsync())
            {
                await using var channel = await kgd.CreateChannelAsync(new CreateChannelOptions(true, true));
                var refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
                {
                    await channel.BasicPublishAsync("mju.population.address-changed.v1", string.Empty, false, new BasicProperties(), "{}"u8.ToArray());
                    await channel.BasicPublishAsync("mju.population.address-changed.v1", string.Empty, false, new BasicProperties(), "{}"u8.ToArray());
                });
                Output.WriteLine($"publish refused: {refused.Message}");
                Assert.Contains("ACCESS_REFUSED", refused.Message + channel.CloseReason?.ReplyText, StringComparison.Ordinal);
            }

            // Without ManagedTopology the system would declare the contract exchanges itself, which the generated
            // permissions refuse: start-up stops with the setting to change, not a bare ACCESS_REFUSED.
            using (var unmanaged = TestHosts.Build("kgd.tax-office", As("kgd.tax-office"),
                       bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
                       services: s => s.AddSingleton(new MessageSink<AddressChanged>())))
            {
                var stopped = await Assert.ThrowsAnyAsync<Exception>(() => unmanaged.StartAsync());
                Output.WriteLine($"without ManagedTopology: {stopped.Message}");
                Assert.Contains("QazBus:RabbitMq:ManagedTopology=true", stopped.Message, StringComparison.Ordinal);
                Assert.Contains("'mju.population.address-changed.v1'", stopped.Message, StringComparison.Ordinal);
            }

            // The permitted flows work under these permissions, including a retry through a delay queue.
            var sink = new MessageSink<AddressChanged> { FailWhen = c => c.Attempt <= 2 };
            var managed = new Dictionary<string, string?>
            {
                ["QazBus:RabbitMq:ManagedTopology"] = "true",
                ["QazBus:Retry:ImmediateRetries"] = "1",
                ["QazBus:Retry:Delays"] = "1s",
            };
            using var taxOffice = TestHosts.Build("kgd.tax-office", As("kgd.tax-office"),
                bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
                settings: managed, services: s => s.AddSingleton(sink));
            using var registry = TestHosts.Build("mju.population-registry", As("mju.population-registry"), settings: managed);
            await taxOffice.StartAsync();
            await registry.StartAsync();
            var id = await registry.Services.GetRequiredService<IContractPublisher>().PublishAsync(new AddressChanged
            {
                Iin = "900102300123",
                NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Dostyk 5" },
                ValidFrom = new DateOnly(2026, 12, 1),
            });
            var (_, context) = await sink.WaitForAsync((_, c) => c.MessageId == id);
            Assert.Equal(3, context.Attempt);
            await registry.StopAsync();
            await taxOffice.StopAsync();
        }
        finally
        {
            using var deleted = await http.DeleteAsync($"api/vhosts/{System.Uri.EscapeDataString(vhost)}");
        }
    }

    [Fact]
    public async Task A_system_on_a_contract_prefix_cannot_publish_bind_or_delete_that_contracts_exchange()
    {
        var management = Environment.GetEnvironmentVariable("QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI")
            ?? throw new InvalidOperationException("QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI is not set: run the tests with ./build.sh test, which starts RabbitMQ with its management API.");
        var vhost = $"qazbus-test-{TestHosts.Unique()}";
        const string Squatter = "mju.population";
        const string Foreign = "mju.population.citizen-registered.v1";
        const string Own = "mju.population.taxpayers";
        var passwords = new Dictionary<string, string>
        {
            [Squatter] = Guid.NewGuid().ToString("N"),
            ["kgd.tax-office"] = Guid.NewGuid().ToString("N"),
        };

        // Built directly, as if it had slipped past `registry check` (which refuses the id 'mju.population').
        var registry = new BusRegistry
        {
            Agencies = [new RegistryAgency { Code = "mju", Name = "Justice" }, new RegistryAgency { Code = "kgd", Name = "Revenue" }],
            Systems =
            [
                new RegistrySystem { Id = Squatter, Name = "A system on the prefix of a contract name", Owner = "Test" },
                new RegistrySystem { Id = "mju.population-registry", Name = "Population registry", Owner = "Test" },
                new RegistrySystem { Id = "kgd.tax-office", Name = "Tax office", Owner = "Test" },
            ],
            Contracts =
            [
                new RegistryContract
                {
                    Name = "mju.population.citizen-registered",
                    Publishers = ["mju.population-registry"],
                    Versions = [new RegistryContractVersion { Version = 1, Status = ContractVersionStatuses.Active }],
                },
                new RegistryContract
                {
                    Name = "kgd.tax.taxpayer-registered",
                    Publishers = ["kgd.tax-office"],
                    Versions = [new RegistryContractVersion { Version = 1, Status = ContractVersionStatuses.Active }],
                },
            ],
            Subscriptions =
            [
                new RegistrySubscription { System = "kgd.tax-office", Endpoint = "citizens", Contract = "mju.population.citizen-registered", Version = 1, Approved = new DateOnly(2026, 11, 1), Basis = "Test" },
                new RegistrySubscription { System = Squatter, Endpoint = "taxpayers", Contract = "kgd.tax.taxpayer-registered", Version = 1, Approved = new DateOnly(2026, 11, 1), Basis = "Test" },
            ],
        };
        var json = TopologyGenerator.ToJson(TopologyGenerator.Generate(registry, vhost, passwords));

        using var http = new HttpClient { BaseAddress = new Uri(management) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        using (var response = await http.PostAsync("api/definitions", new StringContent(json, Encoding.UTF8, "application/json")))
        {
            Assert.True(response.IsSuccessStatusCode, $"import_definitions answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        try
        {
            var broker = new Uri(Uri);
            ConnectionFactory As(string system) => new() { Uri = new Uri($"amqp://{system}:{passwords[system]}@{broker.Host}:{broker.Port}/{vhost}") };

            // It cannot publish the contract another system is registered to publish (write on the exchange).
            await using (var connection = await As(Squatter).CreateConnectionAsync())
            {
                await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
                var refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
                {
                    await channel.BasicPublishAsync(Foreign, string.Empty, false, new BasicProperties(), "{}"u8.ToArray());
                    await channel.BasicPublishAsync(Foreign, string.Empty, false, new BasicProperties(), "{}"u8.ToArray());
                });
                Output.WriteLine($"publish refused: {refused.Message} {channel.CloseReason?.ReplyCode} {channel.CloseReason?.ReplyText}");
                Assert.Equal((ushort)403, channel.CloseReason?.ReplyCode);
                Assert.Contains("ACCESS_REFUSED", refused.Message + channel.CloseReason?.ReplyText, StringComparison.Ordinal);
            }

            // ...nor bind a queue of its own to it without a subscription (read on the exchange)...
            await using (var connection = await As(Squatter).CreateConnectionAsync())
            {
                await using var channel = await connection.CreateChannelAsync();
                await channel.QueueDeclareAsync("mju.population.snoop", durable: true, exclusive: false, autoDelete: false,
                    arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
                var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.QueueBindAsync("mju.population.snoop", Foreign, string.Empty));
                AssertAccessRefused(refused, "bind to the contract exchange on its prefix");
            }

            // ...nor delete it (configure on the exchange).
            await using (var connection = await As(Squatter).CreateConnectionAsync())
            {
                await using var channel = await connection.CreateChannelAsync();
                var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.ExchangeDeleteAsync(Foreign));
                AssertAccessRefused(refused, "delete the contract exchange on its prefix");
            }

            using (var exchange = await http.GetAsync($"api/exchanges/{System.Uri.EscapeDataString(vhost)}/{Foreign}"))
            {
                Assert.True(exchange.IsSuccessStatusCode, $"{Foreign} is gone: {(int)exchange.StatusCode}");
            }

            // Its own queue still works: a message published by the tax office to the contract it subscribes to
            // arrives, and it may still read and declare its own queues.
            await using (var kgd = await As("kgd.tax-office").CreateConnectionAsync())
            {
                await using var channel = await kgd.CreateChannelAsync(new CreateChannelOptions(true, true));
                await channel.BasicPublishAsync("kgd.tax.taxpayer-registered.v1", string.Empty, false, new BasicProperties(), "{\"own\":true}"u8.ToArray());
            }

            await using (var connection = await As(Squatter).CreateConnectionAsync())
            {
                await using var channel = await connection.CreateChannelAsync();
                BasicGetResult? delivered = null;
                for (var attempt = 0; attempt < 50 && delivered is null; attempt++)
                {
                    delivered = await channel.BasicGetAsync(Own, autoAck: true);
                    if (delivered is null)
                    {
                        await Task.Delay(100);
                    }
                }

                Assert.NotNull(delivered);
                Assert.Equal("{\"own\":true}", Encoding.UTF8.GetString(delivered.Body.Span));
                Assert.Equal(0u, (await channel.QueueDeclarePassiveAsync(BusNames.ErrorQueue(Own))).MessageCount);
                await channel.QueueDeleteAsync("mju.population.snoop");
            }
        }
        finally
        {
            using var deleted = await http.DeleteAsync($"api/vhosts/{System.Uri.EscapeDataString(vhost)}");
        }
    }

    private void AssertAccessRefused(OperationInterruptedException refused, string what)
    {
        Output.WriteLine($"{what}: {refused.ShutdownReason?.ReplyCode} {refused.ShutdownReason?.ReplyText}");
        Assert.Equal((ushort)403, refused.ShutdownReason?.ReplyCode);
        Assert.Contains("ACCESS_REFUSED", refused.ShutdownReason?.ReplyText, StringComparison.Ordinal);
    }
}
