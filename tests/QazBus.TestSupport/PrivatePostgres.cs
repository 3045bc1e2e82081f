namespace QazBus.TestSupport;

/// <summary>
/// A PostgreSQL server of a test's own, in a fresh temp folder, with PostgreSQL's default settings, for tests that
/// restart or kill the database while other test assemblies use the shared one. Driven through
/// <c>eng/postgres.sh</c> (QAZBUS_POSTGRES_CTL, else found by walking up from the test's folder). Disposing stops it
/// and deletes the folder.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    public const string ControlScriptVariable = "QAZBUS_POSTGRES_CTL";

    private readonly string _script;
    private readonly Action<string> _log;

    private PrivatePostgres(string script, string home, Action<string> log)
    {
        _script = script;
        Home = home;
        _log = log;
    }

    /// <summary>The server's folder.</summary>
    public string Home { get; }

    /// <summary>The Npgsql connection string of database <c>qazbus</c>; the same after a restart.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Initialises and starts a new server (about 2 s) and returns it once it accepts connections.</summary>
    public static async Task<PrivatePostgres> StartNewAsync(Action<string>? log = null)
    {
        var script = ControlScript.Find(ControlScriptVariable, "postgres.sh");
        // The server runs as the OS user `postgres` when we are root: the folder must be reachable for it.
        var home = Path.Combine(Path.GetTempPath(), $"qazbus-private-pg-{Guid.NewGuid():N}"[..34]);
        Directory.CreateDirectory(home);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var server = new PrivatePostgres(script, home, log ?? (_ => { }));
        try
        {
            await server.RunAsync("start", TimeSpan.FromSeconds(120)).ConfigureAwait(false);
            var env = await server.RunAsync("env", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            server.ConnectionString = ControlScript.Export(env, PostgresFixture.ConnectionStringVariable)
                ?? throw new InvalidOperationException($"'{script} env' printed no {PostgresFixture.ConnectionStringVariable}:\n{env}");
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary><c>pg_ctl restart -m immediate</c>: every session ends at once, no checkpoint; returns once it accepts connections again.</summary>
    public Task RestartImmediateAsync() => RunAsync("restart-immediate", TimeSpan.FromSeconds(120));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("stop", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            _log($"private PostgreSQL clean-up: {ex.Message}");
            await RunAsync("kill", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log($"private PostgreSQL folder {Home} not deleted: {ex.Message}");
        }
    }

    private Task<string> RunAsync(string command, TimeSpan timeout) =>
        ControlScript.RunAsync(_script, command, "QAZBUS_POSTGRES_HOME", Home, timeout, _log);
}
