using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using QazBus.Contracts.Population;
using QazBus.Queries;

namespace QazBus.IntegrationTests.Queries;

/// <summary>The registry's approved requesters, as a test sets them.</summary>
public sealed class ApprovedRequesters(params string[] requesters) : IQueryAccessPolicy
{
    public bool MayAsk(string requester, string query, int version) => requesters.Contains(requester);
}

/// <summary>What the provider's handler saw, and how it should behave for each IIN.</summary>
public sealed class CitizenFile
{
    public const string Known = "900101300123";
    public const string Unknown = "900101300999";
    public const string Refused = "900101300111";
    public const string Invalid = "900101300222";
    public const string Broken = "900101300333";
    public const string Slow = "900101300444";

    public ConcurrentQueue<(CitizenByIin Request, QueryContext Context)> Handled { get; } = new();

    public TimeSpan SlowFor { get; set; } = TimeSpan.FromSeconds(2);

    public static CitizenCard Card(string iin) => new()
    {
        Iin = iin,
        LastName = "Абаев",
        FirstName = "Нұрлан",
        BirthDate = new DateOnly(1990, 1, 1),
        Address = new Address { Region = "Almaty", Locality = "Almaty", Street = "Abay 1" },
        UpdatedAt = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero),
    };
}

/// <summary>Answers by IIN: a card, each rejection, a failure, or slowly.</summary>
public sealed class CitizenFileHandler(CitizenFile file) : IQueryHandler<CitizenByIin, CitizenCard>
{
    public async Task<CitizenCard> HandleAsync(CitizenByIin request, QueryContext context, CancellationToken cancellationToken)
    {
        file.Handled.Enqueue((request, context));
        switch (request.Iin)
        {
            case CitizenFile.Unknown: throw new NoDataException("No citizen with this IIN in the population registry.");
            case CitizenFile.Refused: throw new AccessDeniedException("The tax office may not see this citizen's card.");
            case CitizenFile.Invalid: throw new InvalidRequestException("The IIN's check digit is wrong.");
            case CitizenFile.Broken: throw new InvalidOperationException("The registry database is down (test).");
            case CitizenFile.Slow: await Task.Delay(file.SlowFor, cancellationToken); break;
        }

        return CitizenFile.Card(request.Iin);
    }
}

/// <summary>Collects log lines, to see what a host says about a late answer or an expired request.</summary>
public sealed class LogLines : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public async Task<string> WaitForAsync(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (_lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No log line with '{text}' within {timeout}; lines: {string.Join(" | ", _lines)}");
    }

    private sealed class Logger(LogLines owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
    }
}

/// <summary>Receives the answers to asynchronous requests.</summary>
public sealed class AnswerSink
{
    private readonly ConcurrentQueue<QueryAnswer<CitizenCard>> _answers = new();

    public void Add(QueryAnswer<CitizenCard> answer) => _answers.Enqueue(answer);

    public async Task<QueryAnswer<CitizenCard>> WaitForAsync(string requestId, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (_answers.FirstOrDefault(a => a.RequestId == requestId) is { } answer)
            {
                return answer;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No answer to request {requestId} within {timeout}.");
    }
}

public sealed class CitizenAnswerHandler(AnswerSink sink) : IQueryResponseHandler<CitizenByIin, CitizenCard>
{
    public Task HandleAsync(QueryAnswer<CitizenCard> answer, Handling.MessageContext context, CancellationToken cancellationToken)
    {
        sink.Add(answer);
        return Task.CompletedTask;
    }
}
