using System.Net;
using System.Net.Sockets;

namespace QazBus.TestSupport;

/// <summary>
/// A TCP proxy on loopback between a client under test and a server, for network-cut tests: <see cref="Cut"/> drops
/// every open connection at once and refuses new ones (as a failed switch or firewall would), <see cref="Restore"/>
/// lets connections through again. The client cannot tell it from a real cut.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<(TcpClient Client, TcpClient Server)> _pairs = [];
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpProxy(string targetHost, int targetPort)
    {
        _target = new IPEndPoint(Dns.GetHostAddresses(targetHost).First(a => a.AddressFamily == AddressFamily.InterNetwork), targetPort);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far (a reconnect shows as a new one).</summary>
    public int Accepted { get; private set; }

    /// <summary>The same URI with the proxy's host and port: <c>amqp://user:pass@127.0.0.1:{Port}/vhost</c>.</summary>
    public string Rewrite(string uri) => new UriBuilder(uri) { Host = "127.0.0.1", Port = Port }.Uri.ToString();

    /// <summary>Drops every open connection (RST) and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_gate)
        {
            foreach (var (client, server) in _pairs)
            {
                Drop(client);
                Drop(server);
            }

            _pairs.Clear();
        }
    }

    /// <summary>Lets connections through again.</summary>
    public void Restore() => _cut = false;

    private static void Drop(TcpClient connection)
    {
        try
        {
            connection.Client.LingerState = new LingerOption(true, 0); // close with RST, as a cut link looks to the peer
            connection.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_cut)
            {
                Drop(client);
                continue;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            Drop(client);
            server.Dispose();
            return;
        }

        lock (_gate)
        {
            if (_cut)
            {
                Drop(client);
                Drop(server);
                return;
            }

            Accepted++;
            _pairs.Add((client, server));
        }

        var up = PumpAsync(client, server);
        var down = PumpAsync(server, client);
        await Task.WhenAny(up, down).ConfigureAwait(false);
        lock (_gate)
        {
            _pairs.Remove((client, server));
        }

        Drop(client);
        Drop(server);
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            int read;
            while ((read = await source.ReadAsync(buffer, _stop.Token).ConfigureAwait(false)) > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, read), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException or InvalidOperationException)
        {
            // the connection was cut or closed
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Cut();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
