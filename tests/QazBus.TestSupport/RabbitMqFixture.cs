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
    private string? _user;
    private Uri? _brokerUri;

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
        _management = new HttpClient { BaseAddress = new Uri(management) };
        _management.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        _user = credentials.Split(':')[0];
        _brokerUri = broker;
        await CreateVhostAsync(vhost).ConfigureAwait(false);

        _vhost = vhost;
        Uri = new UriBuilder(broker) { Path = "/" + vhost }.Uri.ToString();
        Management = new BrokerManagement(management, Uri);
        Description += $", vhost {vhost}";
    }

    /// <summary>
    /// A virtual host of its own for one test, deleted with everything in it when disposed (the fixture's vhost
    /// when there is no management API). Tests of one assembly publish the same contracts: in a shared vhost one
    /// test's queue is bound to the exchange another test publishes to, and deleting it at the end of its test
    /// races the other's publishes. RabbitMQ 3.10 then crashes the publishing channel (register_enqueuer on a
    /// quorum queue being deleted: case_clause {shutdown,delete}) and closes its connection with 541; the transport
    /// sends the unconfirmed publishes again after recovery (at-least-once), and a test that counts arrivals at a
    /// plain queue sees a message twice because of another test's clean-up.
    /// </summary>
    public async Task<TestVirtualHost> CreateVirtualHostAsync()
    {
        if (_management is null || _brokerUri is null)
        {
            return new TestVirtualHost(Uri, Description, static () => Task.CompletedTask);
        }

        var vhost = $"qazbus-tests-{Guid.NewGuid().ToString("N")[..12]}";
        await CreateVhostAsync(vhost).ConfigureAwait(false);
        var management = _management;
        return new TestVirtualHost(
            new UriBuilder(_brokerUri) { Path = "/" + vhost }.Uri.ToString(),
            $"RabbitMQ from {UriVariable} ({_brokerUri.Host}:{_brokerUri.Port}), vhost {vhost}",
            async () =>
            {
                using var deleted = await management.DeleteAsync(new Uri($"api/vhosts/{vhost}", UriKind.Relative)).ConfigureAwait(false);
            });
    }

    /// <summary>
    /// A user of its own on <paramref name="vhost"/> with exactly these permissions (RabbitMQ regexes), for tests of
    /// what the broker refuses; disposing deletes it (users outlive vhosts). Needs the management API.
    /// </summary>
    public async Task<TestUser> CreateUserAsync(TestVirtualHost vhost, string configure, string write, string read)
    {
        ArgumentNullException.ThrowIfNull(vhost);
        if (_management is null)
        {
            throw new InvalidOperationException(
                $"This test creates a broker user, which needs the management API: set {ManagementUriVariable} (./build.sh test and ./build.sh up set it).");
        }

        var name = $"qazbus-tests-user-{Guid.NewGuid().ToString("N")[..8]}";
        var password = Guid.NewGuid().ToString("N");
        var path = new Uri(vhost.Uri).AbsolutePath.Trim('/');
        var vhostName = path.Length == 0 ? "/" : System.Uri.UnescapeDataString(path);
        var management = _management;
        using (var body = new StringContent($$"""{"password":"{{password}}","tags":""}""", System.Text.Encoding.UTF8, "application/json"))
        using (var created = await management.PutAsync(new Uri($"api/users/{name}", UriKind.Relative), body).ConfigureAwait(false))
        {
            created.EnsureSuccessStatusCode();
        }

        var user = new TestUser(
            name,
            new UriBuilder(vhost.Uri) { UserName = name, Password = password }.Uri.ToString(),
            async (c, w, r) => await SetPermissionsAsync(management, vhostName, name, c, w, r).ConfigureAwait(false),
            async () =>
            {
                using var deleted = await management.DeleteAsync(new Uri($"api/users/{name}", UriKind.Relative)).ConfigureAwait(false);
            });
        await user.SetPermissionsAsync(configure, write, read).ConfigureAwait(false);
        return user;
    }

    private static async Task SetPermissionsAsync(HttpClient management, string vhost, string user, string configure, string write, string read)
    {
        var permissions = System.Text.Json.JsonSerializer.Serialize(new { configure, write, read });
        using var body = new StringContent(permissions, System.Text.Encoding.UTF8, "application/json");
        using var granted = await management.PutAsync(
            new Uri($"api/permissions/{System.Uri.EscapeDataString(vhost)}/{System.Uri.EscapeDataString(user)}", UriKind.Relative), body).ConfigureAwait(false);
        granted.EnsureSuccessStatusCode();
    }

    private async Task CreateVhostAsync(string vhost)
    {
        using (var body = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))
        using (var created = await _management!.PutAsync(new Uri($"api/vhosts/{vhost}", UriKind.Relative), body).ConfigureAwait(false))
        {
            created.EnsureSuccessStatusCode();
        }

        using (var body = new StringContent("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}", System.Text.Encoding.UTF8, "application/json"))
        using (var granted = await _management.PutAsync(new Uri($"api/permissions/{vhost}/{System.Uri.EscapeDataString(_user!)}", UriKind.Relative), body).ConfigureAwait(false))
        {
            granted.EnsureSuccessStatusCode();
        }
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

/// <summary>A virtual host of one test (<see cref="RabbitMqFixture.CreateVirtualHostAsync"/>); disposing deletes it.</summary>
public sealed class TestVirtualHost(string uri, string description, Func<Task> delete) : IAsyncDisposable
{
    public string Uri { get; } = uri;

    public string Description { get; } = description;

    public async ValueTask DisposeAsync() => await delete().ConfigureAwait(false);
}

/// <summary>A broker user of one test (<see cref="RabbitMqFixture.CreateUserAsync"/>); disposing deletes it.</summary>
public sealed class TestUser(string name, string uri, Func<string, string, string, Task> setPermissions, Func<Task> delete) : IAsyncDisposable
{
    /// <summary>The user's name.</summary>
    public string Name { get; } = name;

    /// <summary>The AMQP URI that logs in as this user on its vhost.</summary>
    public string Uri { get; } = uri;

    /// <summary>Replaces the user's permissions on its vhost.</summary>
    public Task SetPermissionsAsync(string configure, string write, string read) => setPermissions(configure, write, read);

    public async ValueTask DisposeAsync() => await delete().ConfigureAwait(false);
}
