using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace QazBus.TestSupport;

/// <summary>What the management API says of a queue; the API refreshes its figures every few seconds.</summary>
public sealed record QueueState(long Ready, long Unacknowledged, int Consumers)
{
    public override string ToString() => $"ready {Ready}, unacked {Unacknowledged}, consumers {Consumers}";
}

/// <summary>The RabbitMQ management API of a test broker, for progress reports of fault tests.</summary>
public sealed class BrokerManagement : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _vhost;

    /// <param name="managementUri">The API's base, <c>http://127.0.0.1:15672/</c>.</param>
    /// <param name="amqpUri">The AMQP URI whose user and vhost to use.</param>
    public BrokerManagement(string managementUri, string amqpUri)
    {
        var amqp = new Uri(amqpUri);
        var credentials = System.Net.WebUtility.UrlDecode(amqp.UserInfo);
        _vhost = amqp.AbsolutePath.Trim('/') is { Length: > 0 } path ? Uri.UnescapeDataString(path) : "/";
        _http = new HttpClient { BaseAddress = new Uri(managementUri), Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
    }

    /// <summary>The queue's state, or null when the API does not answer or the queue does not exist.</summary>
    public async Task<QueueState?> QueueAsync(string queue)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri($"api/queues/{Uri.EscapeDataString(_vhost)}/{Uri.EscapeDataString(queue)}", UriKind.Relative)).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            var root = json.RootElement;
            long Long(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
            return new QueueState(Long("messages_ready"), Long("messages_unacknowledged"), (int)Long("consumers"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The queue's declared arguments as text (<c>x-queue-type</c> → <c>quorum</c>), or null when the queue does not exist.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> ArgumentsAsync(string queue)
    {
        using var response = await _http.GetAsync(new Uri($"api/queues/{Uri.EscapeDataString(_vhost)}/{Uri.EscapeDataString(queue)}", UriKind.Relative)).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        return json.RootElement.GetProperty("arguments").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal);
    }

    /// <summary>The exchanges the queue is bound to (not the default exchange), or an empty list when it has none or does not exist.</summary>
    public async Task<IReadOnlyList<string>> BoundExchangesAsync(string queue)
    {
        using var response = await _http.GetAsync(new Uri($"api/queues/{Uri.EscapeDataString(_vhost)}/{Uri.EscapeDataString(queue)}/bindings", UriKind.Relative)).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        return [.. json.RootElement.EnumerateArray().Select(b => b.GetProperty("source").GetString() ?? string.Empty).Where(source => source.Length > 0)];
    }

    /// <summary>
    /// The vhost's definitions as the broker holds them (<c>GET /api/definitions/{vhost}</c>): the same format
    /// <c>qazbus topology</c> writes, so what a system declared can be compared with what the registry generates.
    /// </summary>
    public async Task<JsonDocument> DefinitionsAsync()
    {
        using var response = await _http.GetAsync(new Uri($"api/definitions/{Uri.EscapeDataString(_vhost)}", UriKind.Relative)).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    public void Dispose() => _http.Dispose();
}
