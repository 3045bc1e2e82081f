using System.Text.RegularExpressions;
using QazBus.Schemas.Registry;
using QazBus.Schemas.Topology;

namespace QazBus.Schemas.Tests.Topology;

public sealed class TopologyPermissionTests
{
    private static readonly DateOnly Approved = new(2026, 11, 1);

    /// <summary>
    /// A registry <c>registry check</c> refuses, built directly: the system <c>mju.population</c> sits on the prefix of
    /// <c>mju.population.citizen-registered</c>, which another system publishes and a third receives.
    /// </summary>
    private static BusRegistry PrefixRegistry(params RegistryContract[] more) => new()
    {
        Agencies = [new RegistryAgency { Code = "mju", Name = "Justice" }, new RegistryAgency { Code = "kgd", Name = "Revenue" }],
        Systems =
        [
            new RegistrySystem { Id = "mju.population", Name = "Prefix squatter", Owner = "Someone" },
            new RegistrySystem { Id = "mju.population-registry", Name = "Population registry", Owner = "Registry team" },
            new RegistrySystem { Id = "kgd.tax-office", Name = "Tax office", Owner = "Tax team" },
        ],
        Contracts =
        [
            new RegistryContract { Name = "mju.population.citizen-registered", Publishers = ["mju.population-registry"], Versions = [Version(1), Version(2)] },
            new RegistryContract { Name = "kgd.tax.taxpayer-registered", Publishers = ["kgd.tax-office"], Versions = [Version(1)] },
            .. more,
        ],
        Subscriptions =
        [
            Subscription("kgd.tax-office", "citizens", "mju.population.citizen-registered", 2),
            Subscription("mju.population", "taxpayers", "kgd.tax.taxpayer-registered", 1),
        ],
    };

    private static RegistryContractVersion Version(int version) => new() { Version = version, Status = ContractVersionStatuses.Active };

    private static RegistrySubscription Subscription(string system, string endpoint, string contract, int version) =>
        new() { System = system, Endpoint = endpoint, Contract = contract, Version = version, Approved = Approved, Basis = "Test" };

    private static PermissionDefinition PermissionsOf(BrokerDefinitions definitions, string system) =>
        Assert.Single(definitions.Permissions, p => p.User == system);

    // .NET's regex stands in for the broker's (Erlang re, PCRE): these patterns use only what both read the same way.
    private static (string Name, string Pattern)[] Patterns(PermissionDefinition permission) =>
        [("configure", permission.Configure), ("write", permission.Write), ("read", permission.Read)];

    [Theory]
    [InlineData("mju.population.citizen-registered.v1")]
    [InlineData("mju.population.citizen-registered.v2")]
    [InlineData("mju.population.taxpayers.extra")]
    [InlineData("mju.population.taxpayers_error.v1")]
    [InlineData("mju.population.")]
    [InlineData("mju.population")]
    [InlineData("mju.populationx.taxpayers")]
    [InlineData("mju.population.Taxpayers")]
    [InlineData("mju.population.tax_payers")]
    public void A_system_on_a_contract_prefix_gets_none_of_the_names_it_does_not_own(string foreign)
    {
        var permission = PermissionsOf(TopologyGenerator.Generate(PrefixRegistry(), "qazbus"), "mju.population");

        foreach (var (name, pattern) in Patterns(permission))
        {
            Assert.False(Regex.IsMatch(foreign, pattern), $"{name} pattern {pattern} matches {foreign}");
        }
    }

    [Theory]
    [InlineData("mju.population.taxpayers")]
    [InlineData("mju.population.taxpayers_error")]
    [InlineData("mju.population.other-endpoint-2")]
    public void A_system_keeps_configure_write_and_read_on_its_own_queues_and_error_queues(string own)
    {
        var permission = PermissionsOf(TopologyGenerator.Generate(PrefixRegistry(), "qazbus"), "mju.population");

        foreach (var (name, pattern) in Patterns(permission))
        {
            Assert.True(Regex.IsMatch(own, pattern), $"{name} pattern {pattern} does not match {own}");
        }
    }

    [Fact]
    public void Publish_and_subscribe_rights_still_come_from_the_registry_alone()
    {
        var definitions = TopologyGenerator.Generate(PrefixRegistry(), "qazbus");
        var publisher = PermissionsOf(definitions, "mju.population-registry");
        var subscriber = PermissionsOf(definitions, "kgd.tax-office");

        Assert.Matches(publisher.Write, "mju.population.citizen-registered.v1");
        Assert.Matches(subscriber.Read, "mju.population.citizen-registered.v2");
        Assert.DoesNotMatch(subscriber.Read, "mju.population.citizen-registered.v1");
        Assert.DoesNotMatch(publisher.Configure, "mju.population.citizen-registered.v1");
    }

    [Fact]
    public void The_generator_refuses_definitions_that_would_hand_a_system_a_contract_exchange()
    {
        // A contract named exactly as the system: its exchange 'mju.population.v1' has the form of an own queue.
        var registry = PrefixRegistry(new RegistryContract { Name = "mju.population", Publishers = ["mju.population-registry"], Versions = [Version(1)] });

        var refused = Assert.Throws<InvalidOperationException>(() => TopologyGenerator.Generate(registry, "qazbus"));

        Assert.Contains("'mju.population' would be granted mju.population.v1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_generator_refuses_definitions_that_would_hand_a_system_the_delay_queues()
    {
        var registry = PrefixRegistry() with
        {
            Agencies = [.. PrefixRegistry().Agencies, new RegistryAgency { Code = "qazbus", Name = "Platform" }],
            Systems = [.. PrefixRegistry().Systems, new RegistrySystem { Id = "qazbus.delay", Name = "Squatter", Owner = "Someone" }],
        };

        var refused = Assert.Throws<InvalidOperationException>(() => TopologyGenerator.Generate(registry, "qazbus"));

        Assert.Contains("'qazbus.delay' would be granted qazbus.delay.", refused.Message, StringComparison.Ordinal);
    }
}
