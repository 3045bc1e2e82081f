using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.Hosting.Tests;

/// <summary>Tests on the shared dev/CI broker share one fixture.</summary>
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

/// <summary>xUnit lifetime for <see cref="PostgresFixture"/>: the outbox's database.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    public PostgresFixture Postgres { get; } = new();

    public Task InitializeAsync() => Postgres.InitializeAsync();

    public Task DisposeAsync() => Postgres.DisposeAsync().AsTask();
}
