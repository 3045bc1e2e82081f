using QazBus.TestSupport;

namespace QazBus.Cli.Tests;

/// <summary>Tests on the shared dev/CI broker share one fixture (<see cref="BrokerTest"/>).</summary>
[CollectionDefinition(BrokerFixture.CollectionName)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>;
