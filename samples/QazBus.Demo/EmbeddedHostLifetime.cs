using Microsoft.Extensions.Hosting;

namespace QazBus.Demo;

/// <summary>
/// The lifetime of a host embedded in the demo: it leaves Ctrl+C and SIGTERM to the demo, which then stops both
/// hosts in order, instead of each host reacting to the signal on its own.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
