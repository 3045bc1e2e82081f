namespace QazBus.Demo;

/// <summary>The demo's exit codes, so scripts and CI can tell a failed scenario from a mistyped command.</summary>
internal static class ExitCodes
{
    /// <summary>Every message of the scenario was handled.</summary>
    public const int Success = 0;

    /// <summary>A host did not start or stopped early, a message failed, or the timeout passed.</summary>
    public const int ScenarioFailed = 1;

    /// <summary>The command line could not be understood.</summary>
    public const int BadArguments = 2;

    /// <summary>Interrupted with Ctrl+C or SIGTERM (128 + SIGINT, as shells report Ctrl+C).</summary>
    public const int Interrupted = 130;
}
