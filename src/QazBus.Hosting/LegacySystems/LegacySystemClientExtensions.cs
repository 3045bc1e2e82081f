using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using QazBus.Hosting.LegacySystems;

// Registration extensions live in the namespace of what they extend, so they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>
/// Typed <see cref="HttpClient"/>s for adapters that call legacy agency systems, with retry, timeouts and a circuit
/// breaker already in place: <c>builder.AddLegacySystemClient&lt;TClient&gt;("name")</c>.
/// </summary>
/// <remarks>
/// <para>
/// The systems a handler has to call (a registry's SOAP gateway, a 2000s-era card service) are slow and flaky: a
/// 503 under load, a connection reset, an answer that never comes. The client absorbs the brief failures itself
/// (retry with exponential backoff and jitter, a timeout per attempt and one for the whole call), so a message is
/// not sent round the bus's redelivery for a single dropped packet.
/// </para>
/// <para>
/// When the system is really down, retrying every call only hammers it while it tries to come back. The circuit
/// breaker then fails calls at once with <see cref="Polly.CircuitBreaker.BrokenCircuitException"/>; the handler
/// throws, and the bus's own delayed redelivery and kill switch take over: the message waits in a delay queue
/// instead of holding a consumer, and an endpoint whose handler keeps failing pauses until the system is back.
/// </para>
/// <para>
/// Retries resend the request. A bus handler runs at least once per message anyway (a redelivery repeats the whole
/// handler), so the call must already be idempotent: a read, a <c>PUT</c> keyed by id, or a <c>POST</c> the system
/// deduplicates (by the message id, for example). The in-process retry adds no new risk on top of that.
/// </para>
/// </remarks>
public static class LegacySystemClientExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TClient"/> as a typed <see cref="HttpClient"/> for the legacy system
    /// <paramref name="name"/>, configured from <c>QazBus:LegacySystems:{name}</c> (see <see cref="LegacySystemOptions"/>)
    /// and wrapped in the standard resilience pipeline: total timeout, retry on transient failures (5xx, 408, 429,
    /// <see cref="HttpRequestException"/>, attempt timeouts) with exponential backoff and jitter, circuit breaker,
    /// attempt timeout. The section is validated at start: a missing <c>BaseAddress</c> stops the host naming the key.
    /// </summary>
    /// <typeparam name="TClient">The adapter class; it takes an <see cref="HttpClient"/> in its constructor.</typeparam>
    /// <param name="builder">The worker's host builder.</param>
    /// <param name="name">The legacy system's name: the configuration section, the HttpClient's name and the
    /// resilience pipeline's (<c>{name}-standard</c> in logs and metrics). Once per host.</param>
    /// <returns>The client's builder, to add handlers (authentication, for example) or adjust it further.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="name"/> is already registered.</exception>
    /// <example><code>
    /// // appsettings.json: "QazBus": { "LegacySystems": { "taxpayer-cards": { "BaseAddress": "http://cards.kgd.local/api/" } } }
    /// var builder = Host.CreateApplicationBuilder(args);
    /// builder.AddLegacySystemClient&lt;TaxpayerCardClient&gt;("taxpayer-cards");
    /// builder.AddQazBus().AddHandler&lt;CitizenRegisteredV2, CitizenRegisteredHandler&gt;("citizens"); // takes TaxpayerCardClient
    /// await builder.Build().RunAsync();
    /// </code></example>
    public static IHttpClientBuilder AddLegacySystemClient<TClient>(this IHostApplicationBuilder builder, string name)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        var services = builder.Services;

        // A second registration under the same name would stack a second pipeline on the same HttpClient: every
        // retry retried again, two circuit breakers counting the same failures.
        if (services.Any(d => d.ServiceType == typeof(LegacySystemRegistration) && d.ImplementationInstance is LegacySystemRegistration r && r.Name == name))
        {
            throw new InvalidOperationException($"The legacy system '{name}' is already registered; call AddLegacySystemClient once per system.");
        }

        services.AddSingleton(new LegacySystemRegistration(name));

        services.AddOptions<LegacySystemOptions>(name)
            .Bind(builder.Configuration.GetSection(LegacySystemOptions.SectionFor(name)))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LegacySystemOptions>>(new LegacySystemOptionsValidator(name));

        var client = services.AddHttpClient<TClient>(name, (provider, http) =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<LegacySystemOptions>>().Get(name);
            http.BaseAddress = WithTrailingSlash(options.BaseAddress!); // validated: absolute http(s)

            // The pipeline's total timeout is the one limit; HttpClient's own 100 s would cut a longer one short
            // with a bare TaskCanceledException.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });

        client.AddStandardResilienceHandler().Configure((resilience, provider) =>
        {
            LegacySystemOptions options;
            try
            {
                options = provider.GetRequiredService<IOptionsMonitor<LegacySystemOptions>>().Get(name);
            }
            catch (OptionsValidationException)
            {
                // A bad section is reported once, by its own start-up validation naming the keys, not a second
                // time by the pipeline's. The pipeline is never used with it: creating the HttpClient (above)
                // reads the same options and throws.
                return;
            }

            resilience.TotalRequestTimeout.Timeout = options.TotalTimeout;
            resilience.AttemptTimeout.Timeout = options.AttemptTimeout;

            // Exponential with jitter: many consumers failing at the same moment do not all retry at the same
            // moment. The standard predicate retries 5xx, 408, 429, HttpRequestException and attempt timeouts,
            // and honours a Retry-After header.
            resilience.Retry.MaxRetryAttempts = options.Retries;
            resilience.Retry.Delay = options.RetryDelay;
            resilience.Retry.BackoffType = DelayBackoffType.Exponential;
            resilience.Retry.UseJitter = true;

            // Inside the retry: each attempt counts, so a system that is down opens the circuit within a few calls
            // and later calls fail at once instead of hammering it.
            resilience.CircuitBreaker.FailureRatio = options.FailureRatio;
            resilience.CircuitBreaker.MinimumThroughput = options.MinimumThroughput;
            resilience.CircuitBreaker.SamplingDuration = options.SamplingDuration;
            resilience.CircuitBreaker.BreakDuration = options.BreakDuration;
        });

        return client;
    }

    // HttpClient resolves "cards" against "http://host/api" as "http://host/cards": the last segment is dropped
    // unless the base ends with a slash, a classic misconfiguration.
    private static Uri WithTrailingSlash(Uri address) =>
        address.AbsolutePath.EndsWith('/') ? address : new UriBuilder(address) { Path = address.AbsolutePath + "/" }.Uri;

    /// <summary>Marks a legacy system name already registered in a service collection.</summary>
    private sealed record LegacySystemRegistration(string Name);
}
