using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace QazBus.TestSupport;

/// <summary>
/// The three-node RabbitMQ cluster <c>./build.sh test</c> starts for the cluster fault tests
/// (<c>eng/rabbitmq-cluster.sh</c>), found through the environment it exports. Tests kill, stop and start its nodes
/// through the same script, and ask the management API which node serves a connection or leads a queue.
/// Missing: a failure that says how to start it, never a skip.
/// </summary>
public sealed class RabbitMqCluster
{
    public const string UriVariable = "QAZBUS_TEST_RABBITMQ_CLUSTER_URI";
    public const string ManagementVariable = "QAZBUS_TEST_RABBITMQ_CLUSTER_MANAGEMENT_URIS";
    public const string HomeVariable = "QAZBUS_RABBITMQ_CLUSTER_HOME";
    public const string ScriptVariable = "QAZBUS_RABBITMQ_CLUSTER_CTL";

    private readonly string _script;
    private readonly string _home;
    private readonly IReadOnlyList<HttpClient> _management;

    private RabbitMqCluster(string uri, IReadOnlyList<string> management, string script, string home)
    {
        Uri = uri;
        _script = script;
        _home = home;
        _management = [.. management.Select(address =>
        {
            // Each request has its own time limit (SendAsync), so the client's is off.
            var http = new HttpClient { BaseAddress = new Uri(address), Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));
            return http;
        })];
    }

    /// <summary>The three nodes in one URI, <c>amqp://guest:guest@127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/</c>.</summary>
    public string Uri { get; }

    /// <summary>The cluster from the environment, or a failure that says how to start one.</summary>
    public static RabbitMqCluster FromEnvironment()
    {
        string Required(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"No three-node RabbitMQ cluster for the cluster tests ({variable} is not set). Run the tests with './build.sh test' " +
                "(it starts one), or start one with 'eval \"$(./build.sh up --cluster)\"' in the shell that runs 'dotnet test'.");

        return new RabbitMqCluster(Required(UriVariable), Required(ManagementVariable).Split(' ', StringSplitOptions.RemoveEmptyEntries),
            ControlScript.Find(ScriptVariable, "rabbitmq-cluster.sh"), Required(HomeVariable));
    }

    /// <summary>A virtual host of its own for one test, with the cluster URI pointing at it.</summary>
    public async Task<TestVirtualHost> CreateVirtualHostAsync()
    {
        var vhost = $"qazbus-cluster-{Guid.NewGuid().ToString("N")[..12]}";
        await SendAsync(HttpMethod.Put, $"api/vhosts/{vhost}", "{}").ConfigureAwait(false);
        await SendAsync(HttpMethod.Put, $"api/permissions/{vhost}/guest", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}").ConfigureAwait(false);
        return new TestVirtualHost(Uri.TrimEnd('/') + "/" + vhost, $"the three-node cluster ({Uri.Split('@')[1]}), vhost {vhost}",
            async () => await SendAsync(HttpMethod.Delete, $"api/vhosts/{vhost}", null).ConfigureAwait(false));
    }

    /// <summary>SIGKILLs node <paramref name="node"/> (1–3): a crashed server.</summary>
    public Task KillNodeAsync(int node, Action<string> log) => RunAsync("kill-node", log, node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Stops node <paramref name="node"/> gracefully: one step of a rolling restart.</summary>
    public Task StopNodeAsync(int node, Action<string> log) => RunAsync("stop-node", log, node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Starts node <paramref name="node"/> again; returns once it answers (it rejoins the cluster from its data).</summary>
    public Task StartNodeAsync(int node, Action<string> log) => RunAsync("start-node", log, node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Starts every node that is down and waits until the cluster reports three running: each test starts from a whole cluster.</summary>
    public async Task EnsureWholeAsync(Action<string> log)
    {
        for (var node = 1; node <= 3; node++)
        {
            // start-node of a running node returns at once (rabbitmq.sh start sees it answer).
            await StartNodeAsync(node, log).ConfigureAwait(false);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        string running;
        while ((running = await RunningNodesAsync().ConfigureAwait(false)).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 3)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the cluster reports '{running}' running, not three nodes, 120 s after starting them all");
            }

            await Task.Delay(500).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The nodes (1–3) of every connection named <paramref name="clientName"/> in <paramref name="vhost"/>. The
    /// management API may still list a connection that was just closed, so a caller that restarts a client waits
    /// for the old entry to go before it reads the new one.
    /// </summary>
    public async Task<IReadOnlyList<int>> NodesOfConnectionAsync(string vhost, string clientName)
    {
        using var connections = await GetJsonAsync($"api/vhosts/{System.Uri.EscapeDataString(vhost)}/connections").ConfigureAwait(false);
        var nodes = new List<int>();
        foreach (var connection in connections.RootElement.EnumerateArray())
        {
            if (connection.TryGetProperty("client_properties", out var properties)
                && properties.TryGetProperty("connection_name", out var name) && name.GetString() == clientName
                && NodeNumber(connection.GetProperty("node").GetString()) is { } node)
            {
                nodes.Add(node);
            }
        }

        return nodes;
    }

    /// <summary>The node (1–3) of the leader of quorum queue <paramref name="queue"/>, or null while it has none.</summary>
    public async Task<int?> LeaderOfAsync(string vhost, string queue)
    {
        using var state = await GetJsonAsync($"api/queues/{System.Uri.EscapeDataString(vhost)}/{System.Uri.EscapeDataString(queue)}").ConfigureAwait(false);
        return state.RootElement.TryGetProperty("leader", out var leader) ? NodeNumber(leader.GetString()) : null;
    }

    /// <summary>The members of quorum queue <paramref name="queue"/>, for the test output.</summary>
    public async Task<string> MembersOfAsync(string vhost, string queue)
    {
        using var state = await GetJsonAsync($"api/queues/{System.Uri.EscapeDataString(vhost)}/{System.Uri.EscapeDataString(queue)}").ConfigureAwait(false);
        return state.RootElement.TryGetProperty("members", out var members) ? string.Join(" ", members.EnumerateArray().Select(m => m.GetString())) : "no members listed";
    }

    private async Task<string> RunningNodesAsync()
    {
        try
        {
            using var nodes = await GetJsonAsync("api/nodes").ConfigureAwait(false);
            return string.Join(" ", nodes.RootElement.EnumerateArray().Where(n => n.GetProperty("running").GetBoolean()).Select(n => n.GetProperty("name").GetString()));
        }
        catch (InvalidOperationException)
        {
            return string.Empty;
        }
    }

    private static int? NodeNumber(string? node) =>
        node is { Length: > 0 } && node.StartsWith("qazbus-", StringComparison.Ordinal) && int.TryParse(node["qazbus-".Length..node.IndexOf('@', StringComparison.Ordinal)], out var n) ? n : null;

    private async Task RunAsync(string command, Action<string> log, params string[] arguments) =>
        await ControlScript.RunAsync(_script, command, HomeVariable, _home, TimeSpan.FromSeconds(180), log, arguments).ConfigureAwait(false);

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        var body = await SendAsync(HttpMethod.Get, path, null).ConfigureAwait(false);
        return JsonDocument.Parse(body);
    }

    // Any node's management API answers for the whole cluster; while one is down, the next one does.
    private async Task<string> SendAsync(HttpMethod method, string path, string? json)
    {
        // A read answers at once or its node is down: 5 s, then the next node. Creating or deleting a vhost is
        // work on all three nodes (deleting one stops the Raft members of every quorum queue in it) and took longer
        // than 5 s under the full suite's load; cutting it short and asking the next node made a delete that was
        // under way fail. So writes get 60 s, and a delete that finds the vhost gone has done its job.
        var limit = method == HttpMethod.Get ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(60);
        var failures = new List<string>();
        foreach (var http in _management)
        {
            try
            {
                using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
                if (json is not null)
                {
                    request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                }

                using var timeout = new CancellationTokenSource(limit);
                using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode || (method == HttpMethod.Delete && response.StatusCode == System.Net.HttpStatusCode.NotFound))
                {
                    return body;
                }

                failures.Add($"{http.BaseAddress}: {(int)response.StatusCode} {body}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                failures.Add($"{http.BaseAddress}: {ex.Message}");
            }
        }

        throw new InvalidOperationException($"no management API of the cluster answered {method} {path}: {string.Join("; ", failures)}");
    }
}
