using DotNet.Testcontainers.Builders;
using RabbitMQ.Client;
using Testcontainers.RabbitMq;

namespace QazBus.TestSupport;

/// <summary>
/// The real broker for integration tests: the one <c>./build.sh test</c> started (QAZBUS_TEST_RABBITMQ_URI),
/// else a Testcontainers RabbitMQ where a Docker engine answers, else a failure that says how to start one.
/// Never a silent skip.
/// </summary>
public sealed class RabbitMqFixture : IAsyncDisposable
{
    public const string UriVariable = "QAZBUS_TEST_RABBITMQ_URI";

    private RabbitMqContainer? _container;

    public string Uri { get; private set; } = string.Empty;

    /// <summary>Where the broker was found, printed in test output so a reader sees the tests used a real broker.</summary>
    public string Description { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(UriVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            Uri = fromEnvironment;
            Description = $"RabbitMQ from {UriVariable} ({new Uri(Uri).Host}:{new Uri(Uri).Port})";
        }
        else
        {
            try
            {
                _container = new RabbitMqBuilder("rabbitmq:3.13-management").Build();
                await _container.StartAsync().ConfigureAwait(false);
                Uri = _container.GetConnectionString();
                Description = "RabbitMQ in a Testcontainers container";
            }
            catch (Exception ex) when (ex is DockerUnavailableException or InvalidOperationException or ArgumentException)
            {
                throw new InvalidOperationException(
                    $"No RabbitMQ for the integration tests. Run them with './build.sh test' (it installs and starts a throwaway broker), " +
                    $"or set {UriVariable}=amqp://guest:guest@127.0.0.1:5672/ to a running broker, or start a Docker engine for Testcontainers. ({ex.Message})",
                    ex);
            }
        }

        // Fail here, once, with a clear message, rather than in every test with a socket error.
        try
        {
            await using var connection = await CreateConnectionAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"RabbitMQ at {Description} does not answer. Start it with './build.sh up' or run './build.sh test'. ({ex.Message})", ex);
        }
    }

    /// <summary>A plain RabbitMQ.Client connection: what a non-.NET agency's client would do, without QazBus code.</summary>
    public Task<IConnection> CreateConnectionAsync() =>
        new ConnectionFactory { Uri = new Uri(Uri), ClientProvidedName = "qazbus-tests-plain-client" }.CreateConnectionAsync();

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync().ConfigureAwait(false);
        }
    }
}
