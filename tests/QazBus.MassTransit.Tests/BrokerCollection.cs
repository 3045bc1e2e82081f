using QazBus.TestSupport;

namespace QazBus.MassTransit.Tests;

/// <summary>All tests share one broker and run one after another (<see cref="BrokerTest"/>).</summary>
[CollectionDefinition(BrokerFixture.CollectionName)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>;
