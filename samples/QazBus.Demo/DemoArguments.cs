using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace QazBus.Demo;

/// <summary>The demo's command line: <c>[--rabbitmq URI] [--postgres CONNECTION] [--timeout SECONDS] [--help]</c>.</summary>
internal sealed record DemoArguments
{
    public const string Usage = """
        Usage: dotnet run --project samples/QazBus.Demo [-- OPTIONS]

        Runs two agencies in one process: mju.population-registry registers citizens and records address
        changes, each in one transaction with its outbox row; kgd.tax-office keeps its taxpayer register in step
        through its inbox. Prints each message's journey: enqueued, relayed, handled.

        Options:
          --rabbitmq URI      Use the RabbitMQ broker at URI, e.g. amqp://guest:guest@localhost:5672/
                              (default: an in-memory broker, no server needed)
          --postgres CONN     Keep both agencies' tables in this PostgreSQL database, each in a schema of
                              its own created for the run and dropped after it, e.g.
                              "Host=localhost;Database=qazbus;Username=qazbus;Password=..."
                              (default: a SQLite file per agency in a temporary folder, deleted after the run)
          --timeout SECONDS   Give up when no message moved for this long (default 30); a backlog
                              left in the queues by earlier runs is handled as well and counts as progress
          -h, --help          Show this help

        Exit codes: 0 every message handled, 1 the scenario failed or timed out, 2 bad arguments,
        130 interrupted (Ctrl+C).
        """;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The RabbitMQ broker to use; null for the in-memory broker.</summary>
    public Uri? RabbitMqUri { get; init; }

    /// <summary>The PostgreSQL connection string; null for SQLite files in a temporary folder.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>How long to wait without any message moving before giving up.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>True when the user asked for help.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>Reads the command line; on failure, <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(
        IReadOnlyList<string> args,
        [NotNullWhen(true)] out DemoArguments? arguments,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        arguments = null;
        var result = new DemoArguments();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            // Both "--option value" and "--option=value".
            var (name, inlineValue) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal)
                ? (n, v)
                : (args[i], null);

            if (name is "-h" or "--help" or "-?")
            {
                arguments = result with { ShowHelp = true };
                error = null;
                return true;
            }

            if (name is not ("--rabbitmq" or "--postgres" or "--timeout"))
            {
                error = name.StartsWith('-') ? $"unknown option '{name}'." : $"unexpected argument '{name}'.";
                return false;
            }

            if (!seen.Add(name))
            {
                error = $"option '{name}' is given more than once.";
                return false;
            }

            var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
            if (string.IsNullOrWhiteSpace(value))
            {
                error = $"option '{name}' needs a value.";
                return false;
            }

            if (name == "--rabbitmq")
            {
                // Never echo the value: it holds the broker password.
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps") || uri.Host.Length == 0)
                {
                    error = "option '--rabbitmq' needs an absolute amqp:// or amqps:// URI, e.g. amqp://guest:guest@localhost:5672/.";
                    return false;
                }

                result = result with { RabbitMqUri = uri };
            }
            else if (name == "--postgres")
            {
                // Never echo the value: it holds the database password.
                try
                {
                    _ = new Npgsql.NpgsqlConnectionStringBuilder(value);
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException)
                {
                    error = "option '--postgres' needs an Npgsql connection string, e.g. \"Host=localhost;Database=qazbus;Username=qazbus;Password=...\".";
                    return false;
                }

                result = result with { PostgresConnectionString = value };
            }
            else
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 3600)
                {
                    error = $"option '--timeout' needs a whole number of seconds from 1 to 3600, not '{value}'.";
                    return false;
                }

                result = result with { Timeout = TimeSpan.FromSeconds(seconds) };
            }
        }

        arguments = result;
        error = null;
        return true;
    }
}
