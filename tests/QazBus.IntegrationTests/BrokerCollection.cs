using QazBus.TestSupport;

namespace QazBus.IntegrationTests;

/// <summary>All tests that touch the real broker share one fixture and run one after another (<see cref="BrokerTest"/>).</summary>
[CollectionDefinition(BrokerFixture.CollectionName)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>;
