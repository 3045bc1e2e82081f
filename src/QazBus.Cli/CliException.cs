namespace QazBus.Cli;

/// <summary>An expected error: printed as one plain line, without a stack trace, and mapped to an exit code.</summary>
internal sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : this(message, ExitCodes.Failed)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Failed;
    }

    public CliException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>The exit code of the process.</summary>
    public int ExitCode { get; } = ExitCodes.Failed;

    /// <summary>The command line asked for something that does not exist: exit code 2.</summary>
    public static CliException Usage(string message) => new(message, ExitCodes.UsageError);
}
