using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests;

/// <summary>All tests that touch the real broker share one fixture and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "rabbitmq";
}

/// <summary>xUnit lifetime for <see cref="RabbitMqFixture"/>.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public RabbitMqFixture Broker { get; } = new();

    public Task InitializeAsync() => Broker.InitializeAsync();

    public Task DisposeAsync() => Broker.DisposeAsync().AsTask();
}

/// <summary>Base class: gives tests the broker URI and prints where it came from.</summary>
[Collection(BrokerCollection.Name)]
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
