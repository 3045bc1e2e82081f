using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QazBus.Contracts.Population;
using QazBus.Queries;
using QazBus.Schemas.Registry;
using QazBus.Schemas.Topology;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Queries;

/// <summary>
/// Rights enforced twice: under the broker definitions generated from the sample registry, the approved requester
/// asks and is answered in both forms; a system the registry does not approve is refused by the broker, and, with
/// the broker's check bypassed (a user allowed everything), by the provider, which reads the registry itself.
/// </summary>
public sealed class QueryPermissionsTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    private const string Provider = "mju.population-registry";
    private const string Requester = "kgd.tax-office";
    private const string Stranger = "kgd.customs"; // a registered system, but no approved requester of the query
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Only_an_approved_requester_is_answered_and_the_broker_and_the_provider_each_refuse_the_others()
    {
        var management = Environment.GetEnvironmentVariable("QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI")
            ?? throw new InvalidOperationException("QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI is not set: run the tests with ./build.sh test, which starts RabbitMQ with its management API.");
        var vhost = $"qazbus-test-{TestHosts.Unique()}";
        var sample = RepositoryFiles.SampleRegistry();
        var registry = sample with
        {
            Systems = [.. sample.Systems, new RegistrySystem { Id = Stranger, Name = "Customs (test)", Owner = "test" }],
        };
        var passwords = new[] { Provider, Requester, Stranger }.ToDictionary(s => s, _ => Guid.NewGuid().ToString("N"));
        var json = TopologyGenerator.ToJson(TopologyGenerator.Generate(registry, vhost, passwords));

        using var http = new HttpClient { BaseAddress = new Uri(management) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        using (var response = await http.PostAsync("api/definitions", new StringContent(json, Encoding.UTF8, "application/json")))
        {
            Assert.True(response.IsSuccessStatusCode, $"import_definitions answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var hosts = new List<IHost>();
        try
        {
            var broker = new Uri(Uri);
            string As(string user, string password) => $"amqp://{user}:{password}@{broker.Host}:{broker.Port}/{System.Uri.EscapeDataString(vhost)}";
            var managed = new Dictionary<string, string?>
            {
                ["QazBus:RabbitMq:ManagedTopology"] = "true",
                ["QazBus:Registry"] = RepositoryFiles.Find("deploy/registry/registry.json"),
            };
            var file = new CitizenFile();
            IHost Start(IHost host)
            {
                hosts.Add(host);
                return host;
            }

            var provider = Start(TestHosts.Build(Provider, As(Provider, passwords[Provider]),
                bus => bus.AddQueryHandler<CitizenByIin, CitizenCard, CitizenFileHandler>("citizen-queries").UseRegistry(),
                settings: managed, services: s => s.AddSingleton(file)));
            await provider.StartAsync();

            // The approved requester, as its own user: answered synchronously (direct reply-to: the provider may write
            // amq.default) and asynchronously (its reply queue, which the definitions declare and the provider may write).
            var answers = new AnswerSink();
            var taxOffice = Start(TestHosts.Build(Requester, As(Requester, passwords[Requester]),
                bus => bus.AddQueryResponseHandler<CitizenByIin, CitizenCard, CitizenAnswerHandler>(),
                settings: managed, services: s => s.AddSingleton(answers)));
            await taxOffice.StartAsync();
            var client = taxOffice.Services.GetRequiredService<IQueryClient>();
            Assert.Equal(CitizenFile.Known, (await client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Wait)).Iin);
            var id = await client.SendRequestAsync(new CitizenByIin { Iin = CitizenFile.Known }, TimeSpan.FromMinutes(5));
            Assert.True((await answers.WaitForAsync(id, Wait)).IsAnswered);

            // A system the registry does not approve, as its own user: the broker refuses the publish.
            var customs = Start(TestHosts.Build(Stranger, As(Stranger, passwords[Stranger]), settings: managed));
            await customs.StartAsync();
            var byBroker = await Assert.ThrowsAsync<AccessDeniedException>(() =>
                customs.Services.GetRequiredService<IQueryClient>().RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Wait));
            Output.WriteLine($"broker: {byBroker.Message}");
            Assert.Contains("403 ACCESS_REFUSED", byBroker.Message, StringComparison.Ordinal);
            Assert.Null(byBroker.Provider);

            // The same system with the broker's check bypassed (a user allowed everything): the provider refuses.
            using (var granted = await http.PutAsync($"api/permissions/{System.Uri.EscapeDataString(vhost)}/guest",
                       new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json")))
            {
                Assert.True(granted.IsSuccessStatusCode, $"granting guest answered {(int)granted.StatusCode}");
            }

            var bypass = Start(TestHosts.Build(Stranger, As("guest", "guest"), settings: managed));
            await bypass.StartAsync();
            var handled = file.Handled.Count;
            var byProvider = await Assert.ThrowsAsync<AccessDeniedException>(() =>
                bypass.Services.GetRequiredService<IQueryClient>().RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Wait));
            Output.WriteLine($"provider: {byProvider.Message}");
            Assert.Equal(Provider, byProvider.Provider);
            Assert.Contains($"'{Stranger}' is not an approved requester", byProvider.Message, StringComparison.Ordinal);
            Assert.Equal(handled, file.Handled.Count); // the handler never saw it
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }

            using var deleted = await http.DeleteAsync($"api/vhosts/{System.Uri.EscapeDataString(vhost)}");
        }
    }
}
