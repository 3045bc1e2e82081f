using System.Diagnostics;

namespace QazBus.TestSupport;

/// <summary>
/// A RabbitMQ node of a test's own, in a fresh temp folder, for tests that stop, kill or restart the broker while
/// other test assemblies use the shared one. Driven through <c>eng/rabbitmq.sh</c> (QAZBUS_RABBITMQ_CTL, else
/// found by walking up from the test's folder): it picks free ports once and keeps them and the data across
/// <see cref="StopAsync"/>/<see cref="KillAsync"/> and <see cref="StartAsync"/>. Disposing kills the node and its
/// epmd and deletes the folder.
/// </summary>
public sealed class PrivateRabbitMq : IAsyncDisposable
{
    public const string ControlScriptVariable = "QAZBUS_RABBITMQ_CTL";

    private readonly string _script;
    private readonly Action<string> _log;

    private PrivateRabbitMq(string script, string home, Action<string> log)
    {
        _script = script;
        Home = home;
        _log = log;
    }

    /// <summary>The node's folder.</summary>
    public string Home { get; }

    /// <summary>The AMQP URI, <c>amqp://guest:guest@127.0.0.1:PORT/</c>; the same after a restart.</summary>
    public string Uri { get; private set; } = string.Empty;

    /// <summary>The management API, <c>http://127.0.0.1:PORT/</c>.</summary>
    public string ManagementUri { get; private set; } = string.Empty;

    /// <summary>Starts a new node (about 6 s) and returns it once AMQP answers.</summary>
    /// <param name="log">Where the script's output goes (for example ITestOutputHelper.WriteLine).</param>
    /// <param name="prepare">Called with the node's folder before the first start, e.g. to write <c>extra.conf</c> (a TLS listener).</param>
    public static async Task<PrivateRabbitMq> StartNewAsync(Action<string>? log = null, Action<string>? prepare = null)
    {
        var script = ControlScript.Find(ControlScriptVariable, "rabbitmq.sh");
        var home = Path.Combine(Path.GetTempPath(), $"qazbus-private-rabbitmq-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(home);
        prepare?.Invoke(home);
        var broker = new PrivateRabbitMq(script, home, log ?? (_ => { }));
        try
        {
            await broker.StartAsync().ConfigureAwait(false);
            var env = await broker.RunAsync("env", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            broker.Uri = ControlScript.Export(env, "QAZBUS_TEST_RABBITMQ_URI") ?? throw new InvalidOperationException($"'{script} env' printed no QAZBUS_TEST_RABBITMQ_URI:\n{env}");
            broker.ManagementUri = ControlScript.Export(env, "QAZBUS_TEST_RABBITMQ_MANAGEMENT_URI") ?? string.Empty;
            return broker;
        }
        catch
        {
            await broker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts the node (again); returns once AMQP and the management API answer.</summary>
    public Task StartAsync() => RunAsync("start", TimeSpan.FromSeconds(120));

    /// <summary>Stops the node gracefully.</summary>
    public Task StopAsync() => RunAsync("stop", TimeSpan.FromSeconds(90));

    /// <summary>
    /// SIGKILLs the node by its PID: a crash. Data survives; <see cref="StartAsync"/> recovers it.
    /// </summary>
    /// <remarks>
    /// First the node's Ra metadata is flushed to disk. RabbitMQ 3.10 keeps each quorum queue's registration
    /// (<c>ra_directory_reverse</c>) and its term and vote (<c>ra_log_meta</c>) in DETS tables that are saved 0.5 s
    /// and 5 s after their last write; a SIGKILL inside that window (which a test reaches by killing seconds after
    /// declaring its queues) brought the queue back as an empty member that never elected a leader ("leader not
    /// known" in the broker log, every publish unconfirmed, consumer recovery timing out). That is the broker's own
    /// durability window after a queue is declared or a leader elected, not the crash the bus must survive (the
    /// README's guarantees section tells operators about it). Without this flush the hosting and storage
    /// broker-outage tests failed every run (storage 4 of 4, hosting 3 of 3); with it they pass.
    /// </remarks>
    public async Task KillAsync()
    {
        await RunAsync("ctl", TimeSpan.FromSeconds(30), "eval", "[dets:sync(T) || T <- dets:all(), is_atom(T)].").ConfigureAwait(false);
        await RunAsync("kill", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    /// <summary>The node's OS process id, while it runs.</summary>
    public int? ProcessId
    {
        get
        {
            var file = Path.Combine(Home, "rabbitmq.pid");
            return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("kill", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await RunAsync("stop", TimeSpan.FromSeconds(30)).ConfigureAwait(false); // also ends the node's epmd
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            _log($"private RabbitMQ clean-up: {ex.Message}");
        }

        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log($"private RabbitMQ folder {Home} not deleted: {ex.Message}");
        }
    }

    private Task<string> RunAsync(string command, TimeSpan timeout, params string[] arguments) =>
        ControlScript.RunAsync(_script, command, "QAZBUS_RABBITMQ_HOME", Home, timeout, _log, arguments);
}
