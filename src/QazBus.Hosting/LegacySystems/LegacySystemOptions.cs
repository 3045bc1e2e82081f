namespace QazBus.Hosting.LegacySystems;

/// <summary>
/// The <c>QazBus:LegacySystems:{name}</c> section: where a legacy agency system answers and how patiently it is
/// called. Validated at start-up: a missing or bad value stops the host naming its key.
/// </summary>
/// <remarks>
/// The defaults suit the systems agencies actually run: slow (an attempt may take seconds), flaky (a 503 now and
/// then, a timeout under load) and sometimes down for hours. A call is tried at most <see cref="Retries"/> + 1
/// times, each attempt cut off at <see cref="AttemptTimeout"/>, the whole call at <see cref="TotalTimeout"/>. When
/// more than <see cref="FailureRatio"/> of the attempts within <see cref="SamplingDuration"/> fail (once at least
/// <see cref="MinimumThroughput"/> were made), the circuit opens for <see cref="BreakDuration"/>: calls then fail at
/// once without reaching the system.
/// </remarks>
/// <example>
/// <code>
/// "QazBus": {
///   "LegacySystems": {
///     "taxpayer-cards": { "BaseAddress": "http://cards.kgd.local:8080/api/", "AttemptTimeout": "00:00:10", "Retries": 3 }
///   }
/// }
/// </code>
/// </example>
public sealed class LegacySystemOptions
{
    /// <summary>The parent of every legacy system's section.</summary>
    public const string SectionPrefix = "QazBus:LegacySystems";

    /// <summary>The absolute http or https address that request paths are relative to. Required.</summary>
    /// <remarks>A missing trailing slash is added, so <c>http://host/api</c> + <c>cards</c> is <c>http://host/api/cards</c>.</remarks>
    public Uri? BaseAddress { get; set; }

    /// <summary>How long one attempt may take before it is abandoned (and retried). Default 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a call may take with all its attempts and the waits between them. Default 60 seconds.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt on a transient failure (5xx, 408, 429, a connection error, a timeout). Default 3.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>The wait before the first retry; each next wait doubles it, with jitter. Default 2 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The share of failed attempts (above 0, at most 1) within <see cref="SamplingDuration"/> that opens the circuit. Default 0.5.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>The fewest attempts within <see cref="SamplingDuration"/> before the circuit may open (at least 2). Default 10.</summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>The window over which <see cref="FailureRatio"/> is measured; at least twice <see cref="AttemptTimeout"/>. Default 30 seconds.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails calls at once before it lets one through to test the system. Default 30 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The configuration section of the legacy system <paramref name="name"/>: <c>QazBus:LegacySystems:{name}</c>.</summary>
    /// <param name="name">The legacy system's name, as given to <c>AddLegacySystemClient</c>.</param>
    /// <returns>The section's key.</returns>
    public static string SectionFor(string name) => $"{SectionPrefix}:{name}";
}
