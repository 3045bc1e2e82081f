using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace QazBus.Hosting.Tests.Support;

/// <summary>Records every log entry of a host, at every level, whatever the console's minimum level is.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    public RecordedCollection<LogEntry> Entries { get; } = new();

    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton<ILoggerProvider>(this);
        services.Configure<LoggerFilterOptions>(options =>
            options.Rules.Add(new LoggerFilterRule(typeof(LogRecorder).FullName, null, LogLevel.Trace, null)));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, RecordedCollection<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            entries.Add(new LogEntry(
                category,
                logLevel,
                formatter(state, exception),
                values.Select(v => $"{v.Key}={v.Value}").ToArray(),
                exception?.ToString()));
        }
    }
}

/// <summary>One log entry: the formatted message, the structured values and the exception, all as text.</summary>
public sealed record LogEntry(string Category, LogLevel Level, string Message, IReadOnlyList<string> Values, string? Exception);
