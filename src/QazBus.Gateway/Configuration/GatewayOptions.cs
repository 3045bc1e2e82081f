namespace QazBus.Gateway.Configuration;

/// <summary>The <c>QazBus:Gateway</c> section. Validated at start-up: a bad value stops the host naming its key.</summary>
/// <example>
/// <code>
/// "QazBus": {
///   "Gateway": { "MaxBodyBytes": 1048576, "QueryTimeout": "00:00:10", "RateLimit": { "Permits": 600, "Window": "00:01:00" } }
/// }
/// </code>
/// </example>
public sealed class GatewayOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "QazBus:Gateway";

    /// <summary>The largest request body accepted, in bytes; a larger one is answered <c>413</c>. Default 1 MiB.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a query waits for its answer when the request names no <c>timeout</c>. Default 10 seconds.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest <c>timeout</c> a query request may ask for. Default 60 seconds.</summary>
    public TimeSpan MaxQueryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many requests one client system may make per window.</summary>
    public GatewayRateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>The <c>QazBus:Gateway:RateLimit</c> section: a fixed window per client system.</summary>
public sealed class GatewayRateLimitOptions
{
    /// <summary>Requests per window and client system; more are answered <c>429</c> with <c>Retry-After</c>. Default 6,000.</summary>
    public int Permits { get; set; } = 6000;

    /// <summary>The window. Default 1 minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
