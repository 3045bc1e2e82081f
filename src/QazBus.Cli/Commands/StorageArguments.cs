using QazBus.Storage.Configuration;
using QazBus.Storage.Database;
using QazBus.Storage.MessageLog;

namespace QazBus.Cli.Commands;

/// <summary>The options that say where a system's storage database is: for the log commands, and for recording operator actions.</summary>
internal sealed class StorageArguments
{
    /// <summary>Where the connection string comes from when --connection is not given.</summary>
    public const string ConnectionVariable = "QAZBUS_STORAGE_CONNECTION";

    private readonly Option<string> _connection = new("--connection")
    {
        Description = $"The storage connection string (Npgsql's or Microsoft.Data.Sqlite's). Default: {ConnectionVariable}.",
        HelpName = "STRING",
    };

    private readonly Option<StorageProvider?> _provider = new("--provider")
    {
        Description = "Postgres or Sqlite. Default: Postgres when the connection string names a Host, else Sqlite.",
        HelpName = "PROVIDER",
    };

    private readonly Option<string> _schema = new("--schema") { Description = "PostgreSQL: the schema of the tables (QazBus:Storage:Schema). Default public.", HelpName = "NAME", DefaultValueFactory = _ => "public" };

    private readonly Option<string> _prefix = new("--prefix") { Description = "The table prefix (QazBus:Storage:TablePrefix). Default qazbus_.", HelpName = "PREFIX", DefaultValueFactory = _ => "qazbus_" };

    public void AddTo(Command command)
    {
        command.Options.Add(_connection);
        command.Options.Add(_provider);
        command.Options.Add(_schema);
        command.Options.Add(_prefix);
    }

    public MessageLogReader Open(ParseResult parse)
    {
        var options = Options(parse) ?? throw CliException.Usage($"no storage database: pass --connection or set {ConnectionVariable}");
        try
        {
            return new MessageLogReader(options);
        }
        catch (ArgumentException ex)
        {
            // The validator names the setting (QazBus:Storage:…) and never echoes a password.
            throw CliException.Usage(ex.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
        }
    }

    /// <summary>The storage options given on the command line or in the environment, or null when none are.</summary>
    public StorageOptions? Options(ParseResult parse)
    {
        var connection = parse.GetValue(_connection) ?? Environment.GetEnvironmentVariable(ConnectionVariable);
        if (connection is null)
        {
            return null;
        }

        var provider = parse.GetValue(_provider) ?? StorageDialect.ProviderOf(connection);
        return new StorageOptions
        {
            Provider = provider,
            ConnectionString = connection,
            Schema = parse.GetValue(_schema)!,
            TablePrefix = parse.GetValue(_prefix)!,
        };
    }
}
