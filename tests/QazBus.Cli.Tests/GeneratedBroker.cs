using System.Net.Http.Headers;
using System.Text;
using QazBus.Schemas.Registry;
using QazBus.Schemas.Topology;

namespace QazBus.Cli.Tests;

/// <summary>
/// A fresh vhost of the real broker with the definitions generated from a registry loaded through the management API,
/// as an operator loads them (users with their passwords, the generated permissions); deleted when disposed.
/// </summary>
internal sealed class GeneratedBroker : IAsyncDisposable
{
    private const string UriVariable = "QAZBUS_TEST_RABBITMQ_URI";
    private const string ManagementVariable = "QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI";

    private readonly HttpClient _management;
    private readonly Uri _broker;
    private readonly Dictionary<string, string> _passwords;

    private GeneratedBroker(HttpClient management, Uri broker, string vhost, Dictionary<string, string> passwords)
    {
        _management = management;
        _broker = broker;
        Vhost = vhost;
        _passwords = passwords;
    }

    public string Vhost { get; }

    /// <summary>Loads the definitions <paramref name="registry"/> generates, every system with a password of its own.</summary>
    public static async Task<GeneratedBroker> StartAsync(BusRegistry registry)
    {
        // A missing broker fails the test and says how to start one: never a skip.
        var uri = Environment.GetEnvironmentVariable(UriVariable) is { Length: > 0 } value ? new Uri(value)
            : throw new InvalidOperationException($"{UriVariable} is not set: run the tests with ./build.sh test, or start RabbitMQ with './build.sh up' and eval what it prints.");
        var management = Environment.GetEnvironmentVariable(ManagementVariable) is { Length: > 0 } api ? new Uri(api)
            : throw new InvalidOperationException($"{ManagementVariable} is not set: run the tests with ./build.sh test, or start RabbitMQ with './build.sh up' and eval what it prints (the doctor tests load definitions through the management API).");
        var vhost = $"qazbus-doctor-{Guid.NewGuid().ToString("N")[..10]}";
        var passwords = registry.Systems.ToDictionary(s => s.Id, _ => Guid.NewGuid().ToString("N"), StringComparer.Ordinal);
        var json = TopologyGenerator.ToJson(TopologyGenerator.Generate(registry, vhost, passwords));

        var http = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
        var broker = new GeneratedBroker(http, uri, vhost, passwords);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("api/definitions", UriKind.Relative), content);
        if (!response.IsSuccessStatusCode)
        {
            await broker.DisposeAsync();
            throw new InvalidOperationException($"the management API at {management} refused the definitions: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return broker;
    }

    /// <summary>The AMQP URI that logs in as <paramref name="system"/> with its generated password (or <paramref name="password"/>).</summary>
    public string UriOf(string system, string? password = null) =>
        $"amqp://{Uri.EscapeDataString(system)}:{password ?? _passwords[system]}@{_broker.Host}:{_broker.Port}/{Vhost}";

    /// <summary>The AMQP URI of the broker's administrator (the test broker's own user) in this vhost.</summary>
    public string AdministratorUri => $"amqp://{_broker.UserInfo}@{_broker.Host}:{_broker.Port}/{Vhost}";

    /// <summary>Lets the administrator use this vhost, as an operator observing the flows would.</summary>
    public async Task GrantAdministratorAsync()
    {
        var user = Uri.UnescapeDataString(_broker.UserInfo.Split(':')[0]);
        using var content = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        using var response = await _management.PutAsync(new Uri($"api/permissions/{Vhost}/{Uri.EscapeDataString(user)}", UriKind.Relative), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the management API refused permissions for {user}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>True when <paramref name="queue"/> exists in the vhost.</summary>
    public async Task<bool> QueueExistsAsync(string queue)
    {
        using var response = await _management.GetAsync(new Uri($"api/queues/{Vhost}/{Uri.EscapeDataString(queue)}", UriKind.Relative));
        return response.IsSuccessStatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        using (await _management.DeleteAsync(new Uri($"api/vhosts/{Vhost}", UriKind.Relative)))
        {
        }

        _management.Dispose();
    }
}
