namespace QazBus.Cli;

/// <summary>The exit codes scripts and CI can rely on, for every command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked; a check passed.</summary>
    public const int Ok = 0;

    /// <summary>A check failed (a breaking change, a broken registry), or the command could not do its work.</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong: unknown command or option, missing argument, a path that does not exist.</summary>
    public const int UsageError = 2;
}
