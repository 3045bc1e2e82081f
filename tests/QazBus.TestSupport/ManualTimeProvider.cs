namespace QazBus.TestSupport;

/// <summary>A clock the test sets; timers and timestamps still come from the system.</summary>
public sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
