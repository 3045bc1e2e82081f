using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace QazBus.Demo;

/// <summary>The demo's command line: <c>[--rabbitmq URI] [--postgres CONNECTION] [--timeout SECONDS] [--help]</c>.</summary>
/// <remarks>
/// Parsed with System.CommandLine (<see cref="Command"/>): <c>--option value</c> and <c>--option=value</c>, an
/// option given twice is an error, and <c>-h</c>/<c>--help</c> prints help generated from the descriptions below.
/// Connection values are never echoed in an error: they hold passwords.
/// </remarks>
internal sealed record DemoArguments
{
    private const int DefaultTimeoutSeconds = 30;

    private static readonly Option<Uri> RabbitMq = new("--rabbitmq")
    {
        Description = "Use the RabbitMQ broker at URI, e.g. amqp://guest:guest@localhost:5672/ (default: an in-memory broker, no server needed).",
        HelpName = "URI",
        CustomParser = ParseRabbitMqUri,
    };

    private static readonly Option<string> Postgres = new("--postgres")
    {
        Description = "Keep both agencies' tables in this PostgreSQL database, each in a schema of its own created for the run and dropped after it, " +
                      "e.g. \"Host=localhost;Database=qazbus;Username=qazbus;Password=...\" (default: a SQLite file per agency in a temporary folder, deleted after the run).",
        HelpName = "CONN",
        CustomParser = ParsePostgres,
    };

    private static readonly Option<int> TimeoutSeconds = new("--timeout")
    {
        Description = $"Give up when no message moved for this long (default {DefaultTimeoutSeconds}); a backlog left in the queues by earlier runs is handled as well and counts as progress.",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => DefaultTimeoutSeconds,
        CustomParser = ParseTimeout,
    };

    /// <summary>The command line's grammar; its help is the demo's usage.</summary>
    public static RootCommand Command { get; } = new(
        "Runs two agencies in one process: mju.population-registry registers citizens and records address changes, each in one " +
        "transaction with its outbox row; kgd.tax-office keeps its taxpayer register in step through its inbox. Prints each message's " +
        "journey: enqueued, relayed, handled. Run with: dotnet run --project samples/QazBus.Demo [-- OPTIONS]. Exit codes: 0 every " +
        "message handled, 1 the scenario failed or timed out, 2 bad arguments, 130 interrupted (Ctrl+C).")
    {
        RabbitMq,
        Postgres,
        TimeoutSeconds,
    };

    /// <summary>The RabbitMQ broker to use; null for the in-memory broker.</summary>
    public Uri? RabbitMqUri { get; init; }

    /// <summary>The PostgreSQL connection string; null for SQLite files in a temporary folder.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>How long to wait without any message moving before giving up.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(DefaultTimeoutSeconds);

    /// <summary>The arguments of a command line <see cref="Command"/> parsed without errors.</summary>
    public static DemoArguments From(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return new DemoArguments
        {
            RabbitMqUri = parseResult.GetValue(RabbitMq),
            PostgresConnectionString = parseResult.GetValue(Postgres),
            Timeout = TimeSpan.FromSeconds(parseResult.GetValue(TimeoutSeconds)),
        };
    }

    private static Uri? ParseRabbitMqUri(ArgumentResult result)
    {
        if (Single(result) is not { } value)
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps") || uri.Host.Length == 0)
        {
            result.AddError("option '--rabbitmq' needs an absolute amqp:// or amqps:// URI, e.g. amqp://guest:guest@localhost:5672/.");
            return null;
        }

        return uri;
    }

    private static string? ParsePostgres(ArgumentResult result)
    {
        if (Single(result) is not { } value)
        {
            return null;
        }

        // Checked as the storage checks it at start-up. Never echo the value: it holds the database password.
        try
        {
            using var database = QazBus.Storage.Database.StorageDatabase.Open(
                new QazBus.Storage.Configuration.StorageOptions { Provider = QazBus.Storage.Configuration.StorageProvider.Postgres, ConnectionString = value });
            return value;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            result.AddError("option '--postgres' needs an Npgsql connection string, e.g. \"Host=localhost;Database=qazbus;Username=qazbus;Password=...\".");
            return null;
        }
    }

    private static int ParseTimeout(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return DefaultTimeoutSeconds;
        }

        if (Single(result) is not { } value)
        {
            return 0;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 3600)
        {
            result.AddError($"option '--timeout' needs a whole number of seconds from 1 to 3600, not '{value}'.");
            return 0;
        }

        return seconds;
    }

    /// <summary>The option's one non-blank value, or null with the error added.</summary>
    private static string? Single(ArgumentResult result)
    {
        var name = ((OptionResult)result.Parent!).Option.Name;
        if (result.Tokens.Count > 1)
        {
            result.AddError($"option '{name}' is given more than once.");
            return null;
        }

        var value = result.Tokens.Count == 1 ? result.Tokens[0].Value : null;
        if (string.IsNullOrWhiteSpace(value))
        {
            result.AddError($"option '{name}' needs a value.");
            return null;
        }

        return value;
    }
}
