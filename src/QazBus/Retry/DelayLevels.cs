using System.Globalization;

namespace QazBus.Retry;

/// <summary>
/// The fixed ladder of redelivery delays. On RabbitMQ each level is one TTL queue per vhost that dead-letters
/// back to the endpoint, so a small fixed set of queues serves every delay of every system (no broker plugin).
/// </summary>
public static class DelayLevels
{
    /// <summary>The delays a retry policy may use, shortest first.</summary>
    public static IReadOnlyList<TimeSpan> All { get; } =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromHours(24),
    ];

    /// <summary>The label of a level: <c>10s</c>, <c>5m</c>, <c>2h</c>.</summary>
    public static string Label(TimeSpan delay) =>
        delay.TotalHours >= 1 && delay.TotalHours == Math.Floor(delay.TotalHours) ? $"{(int)delay.TotalHours}h"
        : delay.TotalMinutes >= 1 && delay.TotalMinutes == Math.Floor(delay.TotalMinutes) ? $"{(int)delay.TotalMinutes}m"
        : $"{(int)delay.TotalSeconds}s";

    /// <summary>The exchange and queue of a level: <c>qazbus.delay.{label}</c>.</summary>
    public static string QueueName(TimeSpan delay) => $"qazbus.delay.{Label(delay)}";

    /// <summary>Parses a list such as <c>"10s, 1m, 10m"</c>; <c>"none"</c> or empty means no delayed redelivery.</summary>
    /// <returns>False with a reason when an item is not a level.</returns>
    public static bool TryParse(string? text, out TimeSpan[] delays, out string? error)
    {
        delays = [];
        error = null;
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var parsed = new List<TimeSpan>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var level = All.FirstOrDefault(l => Label(l).Equals(item, StringComparison.OrdinalIgnoreCase));
            if (level == default)
            {
                error = $"'{item}' is not a delay level; use some of {string.Join(", ", All.Select(Label))}";
                return false;
            }

            parsed.Add(level);
        }

        delays = [.. parsed];
        return true;
    }

    internal static string Format(IEnumerable<TimeSpan> delays) => string.Join(", ", delays.Select(Label));
}
