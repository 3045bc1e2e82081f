using System.Net.Http.Headers;
using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using QazBus.Contracts.Population;
using QazBus.Schemas.Registry;
using QazBus.Schemas.Topology;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.MassTransit.Tests;

/// <summary>
/// MassTransit systems under the users and permissions <c>qazbus topology</c> generates from the registry (own prefix
/// only): they start, publish and consume without declaring anything outside their lane; the bindings come from the
/// generated definitions.
/// </summary>
public sealed class GeneratedPermissionsTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    [Fact]
    public async Task MassTransit_systems_run_under_the_generated_permissions()
    {
        var management = Environment.GetEnvironmentVariable("QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI")
            ?? throw new InvalidOperationException("QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI is not set: start the services with ./build.sh up, which starts RabbitMQ with its management API.");
        var vhost = $"qazbus-mt-{TestHosts.Unique()}";
        var passwords = new Dictionary<string, string>
        {
            ["mju.population-registry"] = Guid.NewGuid().ToString("N"),
            ["kgd.tax-office"] = Guid.NewGuid().ToString("N"),
        };
        var json = TopologyGenerator.ToJson(TopologyGenerator.Generate(SampleRegistry(), vhost, passwords));
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
            var managed = new Dictionary<string, string?> { ["QazBus:RabbitMq:ManagedTopology"] = "true", ["QazBus:Retry:Delays"] = "1s" };
            var received = new Received();
            var failOnce = new HashSet<string>();
            received.FailWhen = m => m is CitizenRegisteredV2 c && failOnce.Add(c.Iin); // the first attempt fails: a redelivery through the delay level
            using var taxOffice = MassTransitHosts.Build("kgd.tax-office", As("kgd.tax-office"), received,
                new Dictionary<string, string?>(managed) { ["QazBus:Retry:ImmediateRetries"] = "0" }, addresses: false);
            using var registry = MassTransitHosts.BuildPublisher("mju.population-registry", As("mju.population-registry"), managed);
            await taxOffice.StartAsync();
            await registry.StartAsync();

            var publish = registry.Services.GetRequiredService<IPublishEndpoint>();
            await publish.Publish(new CitizenRegisteredV2 { Iin = "900102300124", LastName = "Abaiuly", FirstName = "Ilyas", BirthDate = new DateOnly(1990, 1, 2), RegisteredAt = DateTimeOffset.UtcNow });
            await publish.Publish(new CitizenRegistered { Iin = "900102300125", FullName = "Abaiuly Ilyas", BirthDate = new DateOnly(1990, 1, 2), RegisteredAt = DateTimeOffset.UtcNow });

            await received.WaitForAsync(r => r.Message is CitizenRegisteredV2 { Iin: "900102300125" } && received.Items.Count(i => i.Message is CitizenRegisteredV2 { Iin: "900102300125" }) == 2);
            await received.WaitForAsync(r => r.Message is CitizenRegisteredV2 { Iin: "900102300124" } && received.Items.Count(i => i.Message is CitizenRegisteredV2 { Iin: "900102300124" }) == 2);
            await registry.StopAsync();
            await taxOffice.StopAsync();
        }
        finally
        {
            using var deleted = await http.DeleteAsync($"api/vhosts/{System.Uri.EscapeDataString(vhost)}");
        }
    }

    private static BusRegistry SampleRegistry()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "deploy/registry/registry.json")))
        {
            directory = directory.Parent;
        }

        var path = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("deploy/registry/registry.json not found above the test directory."), "deploy/registry/registry.json");
        Assert.True(RegistryDocument.TryParse(File.ReadAllText(path), out var document, out var problem), problem?.ToString());
        return document!.Registry;
    }
}
