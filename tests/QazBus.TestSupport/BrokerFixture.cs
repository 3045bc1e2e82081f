using Xunit;
using Xunit.Abstractions;

namespace QazBus.TestSupport;

/// <summary>
/// xUnit lifetime for <see cref="RabbitMqFixture"/>: one broker (and virtual host) for every test of a collection.
/// Each test assembly declares its collection, <c>[CollectionDefinition(BrokerFixture.CollectionName)]</c> on a
/// class implementing <c>ICollectionFixture&lt;BrokerFixture&gt;</c>: xUnit looks for collection definitions only
/// in the test assembly itself.
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    /// <summary>The name of the collection of the tests that use the broker (<see cref="BrokerTest"/>).</summary>
    public const string CollectionName = "rabbitmq";

    public RabbitMqFixture Broker { get; } = new();

    public Task InitializeAsync() => Broker.InitializeAsync();

    public Task DisposeAsync() => Broker.DisposeAsync().AsTask();
}

/// <summary>Base class: gives tests the broker URI and prints where it came from.</summary>
[Collection(BrokerFixture.CollectionName)]
public abstract class BrokerTest(BrokerFixture fixture, ITestOutputHelper output)
{
    protected RabbitMqFixture Broker { get; } = fixture.Broker;

    protected ITestOutputHelper Output { get; } = output;

    protected string Uri
    {
        get
        {
            Output.WriteLine($"Using {Broker.Description}");
            return Broker.Uri;
        }
    }
}
