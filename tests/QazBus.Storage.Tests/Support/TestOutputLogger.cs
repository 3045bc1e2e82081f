using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.Support;

/// <summary>Sends a host's warnings and errors to the test's output, so a failure shows what the bus saw.</summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output, string name) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, $"{name} {categoryName}");

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error || (logLevel >= LogLevel.Warning && category.Contains("QazBus", StringComparison.Ordinal));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " | " + exception.GetType().Name + ": " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // the test has finished
            }
        }
    }
}
