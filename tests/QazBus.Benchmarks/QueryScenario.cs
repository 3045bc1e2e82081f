using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QazBus.Contracts;
using QazBus.Queries;

namespace QazBus.Benchmarks;

/// <summary>The benchmark's question: a small request answered with a <see cref="SampleRecorded"/> (~500 bytes).</summary>
[Contract("qazbench.load.sample-lookup", 1)]
public sealed record SampleLookup : IQuery<SampleRecorded>
{
    /// <summary>Position in the run.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the request was sent (Stopwatch timestamp, same process): the answer carries it back.</summary>
    public required long SentTimestamp { get; init; }
}

/// <summary>
/// A QazBus query as agencies use it, with the shipped defaults: <c>IQueryClient.RequestAsync</c> → the query's
/// exchange → the provider's quorum queue → consume pipeline (headers, contract, JSON, rules, deadline, right) →
/// handler → answer to direct reply-to (confirmed) → ack; the requester verifies envelope, sender and request hash.
/// One process asks and answers. Each "publish" is one whole round trip.
/// </summary>
internal sealed class QueryScenario(string uri, int window, IReadOnlyDictionary<string, string?> settings) : IScenario
{
    public const string System = "qazbench.loadgen";
    public const string Endpoint = "queries";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private IHost? _host;
    private IQueryClient? _client;
    private Receiver? _receiver;

    public string Name => "query";

    public int Window => window;

    public static string Queue => $"{System}.{Endpoint}";

    public async Task StartAsync(Receiver receiver, CancellationToken cancellationToken)
    {
        _receiver = receiver;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QazBus:System"] = System,
            ["QazBus:Transport"] = "RabbitMq",
            ["QazBus:RabbitMq:Uri"] = uri,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IQueryAccessPolicy, EveryRequester>();
        builder.AddQazBus().AddQueryHandler<SampleLookup, SampleRecorded, SampleLookupHandler>(Endpoint);
        _host = builder.Build();
        await _host.StartAsync(cancellationToken);
        _client = _host.Services.GetRequiredService<IQueryClient>();
    }

    public async Task PublishAsync(long sequence, CancellationToken cancellationToken)
    {
        var answer = await _client!.RequestAsync<SampleLookup, SampleRecorded>(
            new SampleLookup { Sequence = sequence, SentTimestamp = Stopwatch.GetTimestamp() }, Timeout, cancellationToken: cancellationToken);
        _receiver!.OnReceived(answer.Sequence, answer.SentTimestamp);
    }

    public async Task<string> BacklogAsync(BrokerProbe broker, CancellationToken cancellationToken) =>
        $"queue {await broker.DepthAsync(Queue, cancellationToken)}";

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }

    // The benchmark measures the path, not the registry: every requester is approved.
    private sealed class EveryRequester : IQueryAccessPolicy
    {
        public bool MayAsk(string requester, string query, int version) => true;
    }
}

/// <summary>Answers with the sample message, carrying the request's sequence and timestamp back.</summary>
internal sealed class SampleLookupHandler : IQueryHandler<SampleLookup, SampleRecorded>
{
    public Task<SampleRecorded> HandleAsync(SampleLookup request, QueryContext context, CancellationToken cancellationToken) =>
        Task.FromResult(SampleRecorded.Create(request.Sequence, request.SentTimestamp));
}
