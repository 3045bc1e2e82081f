using QazBus.TestSupport;

namespace QazBus.IntegrationTests.Cluster;

/// <summary>
/// The cluster tests share the three-node cluster and run one after another (each kills or stops nodes), with the
/// shared PostgreSQL for their outbox, inbox and effect tables.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string CollectionName = "rabbitmq-cluster";

    public RabbitMqCluster Cluster { get; private set; } = null!;

    public PostgresFixture Postgres { get; } = new();

    public async Task InitializeAsync()
    {
        Cluster = RabbitMqCluster.FromEnvironment();
        await Postgres.InitializeAsync();
    }

    public Task DisposeAsync() => Postgres.DisposeAsync().AsTask();
}

[CollectionDefinition(ClusterFixture.CollectionName)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>;
