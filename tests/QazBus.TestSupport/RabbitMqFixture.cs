using DotNet.Testcontainers.Builders;
using RabbitMQ.Client;
using Testcontainers.RabbitMq;

namespace QazBus.TestSupport;

/// <summary>
/// The real broker for integration tests: the one <c>./build.sh test</c> started (QAZBUS_TEST_RABBITMQ_URI),
/// else a Testcontainers RabbitMQ where a Docker engine answers, else a failure that says how to start one.
/// Never a silent skip.
/// </summary>
public sealed class RabbitMqFixture : IAsyncDisposable
{
    public const string UriVariable = "QAZBUS_TEST_RABBITMQ_URI";

    /// <summary>The management API of the broker ./build.sh test started.</summary>
    public const string ManagementUriVariable = "QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI";

    private RabbitMqContainer? _container;
    private HttpClient? _management;
    private string? _vhost;

    public string Uri { get; private set; } = string.Empty;

    /// <summary>Where the broker was found, printed in test output so a reader sees the tests used a real broker.</summary>
    public string Description { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(UriVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            Uri = fromEnvironment;
            Description = $"RabbitMQ from {UriVariable} ({new Uri(Uri).Host}:{new Uri(Uri).Port})";
        }
        else
        {
            try
            {
                _container = new RabbitMqBuilder("rabbitmq:3.13-management").Build();
                await _container.StartAsync().ConfigureAwait(false);
                Uri = _container.GetConnectionString();
                Description = "RabbitMQ in a Testcontainers container";
            }
            catch (Exception ex) when (ex is DockerUnavailableException or InvalidOperationException or ArgumentException)
            {
                throw new InvalidOperationException(
                    $"No RabbitMQ for the integration tests. Run them with './build.sh test' (it installs and starts a throwaway broker), " +
                    $"or set {UriVariable}=amqp://guest:guest@127.0.0.1:5672/ to a running broker, or start a Docker engine for Testcontainers. ({ex.Message})",
                    ex);
            }
        }

        await IsolateAsync().ConfigureAwait(false);

        // Fail here, once, with a clear message, rather than in every test with a socket error.
        try
        {
            await using var connection = await CreateConnectionAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"RabbitMQ at {Description} does not answer. Start it with './build.sh up' or run './build.sh test'. ({ex.Message})", ex);
        }
    }

    /// <summary>
    /// Test assemblies run in parallel and publish the same contracts; each fixture gets a virtual host of its own
    /// (through the management API, when the broker has one), so one assembly's messages never reach another's queues.
    /// </summary>
    private async Task IsolateAsync()
    {
        var management = Environment.GetEnvironmentVariable(ManagementUriVariable);
        if (string.IsNullOrWhiteSpace(management))
        {
            return;
        }

        var vhost = $"qazbus-tests-{Guid.NewGuid().ToString("N")[..8]}";
        var broker = new Uri(Uri);
        var credentials = System.Net.WebUtility.UrlDecode(broker.UserInfo);
        var user = credentials.Split(':')[0];
        _management = new HttpClient { BaseAddress = new Uri(management) };
        _management.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        using (var body = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))
        using (var created = await _management.PutAsync(new Uri($"api/vhosts/{vhost}", UriKind.Relative), body).ConfigureAwait(false))
        {
            created.EnsureSuccessStatusCode();
        }

        using (var body = new StringContent("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}", System.Text.Encoding.UTF8, "application/json"))
        using (var granted = await _management.PutAsync(new Uri($"api/permissions/{vhost}/{System.Uri.EscapeDataString(user)}", UriKind.Relative), body).ConfigureAwait(false))
        {
            granted.EnsureSuccessStatusCode();
        }

        _vhost = vhost;
        Uri = new UriBuilder(broker) { Path = "/" + vhost }.Uri.ToString();
        Management = new BrokerManagement(management, Uri);
        Description += $", vhost {vhost}";
    }

    /// <summary>The management API in this fixture's vhost, when the broker has one (QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI).</summary>
    public BrokerManagement? Management { get; private set; }

    /// <summary>A queue's state for progress lines, or "no management API".</summary>
    public async Task<string> QueueStateAsync(string queue) =>
        Management is null ? "no management API" : (await Management.QueueAsync(queue).ConfigureAwait(false))?.ToString() ?? "queue not found";

    /// <summary>A plain RabbitMQ.Client connection: what a non-.NET agency's client would do, without QazBus code.</summary>
    public Task<IConnection> CreateConnectionAsync() =>
        new ConnectionFactory { Uri = new Uri(Uri), ClientProvidedName = "qazbus-tests-plain-client" }.CreateConnectionAsync();

    public async ValueTask DisposeAsync()
    {
        if (_management is not null)
        {
            if (_vhost is not null)
            {
                using var deleted = await _management.DeleteAsync(new Uri($"api/vhosts/{_vhost}", UriKind.Relative)).ConfigureAwait(false);
            }

            _management.Dispose();
            Management?.Dispose();
        }

        if (_container is not null)
        {
            await _container.DisposeAsync().ConfigureAwait(false);
        }
    }
}
