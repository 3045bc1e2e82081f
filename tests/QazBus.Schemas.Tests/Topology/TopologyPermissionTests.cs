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

    /// <summary>
    /// The population registry answers <c>mju.population.citizen-by-iin</c> v1 at <c>citizen-queries</c>; the tax office
    /// is approved to ask it; customs, of the same agency as the tax office, is not.
    /// </summary>
    private static BusRegistry QueryRegistry() => new()
    {
        Agencies = [new RegistryAgency { Code = "mju", Name = "Justice" }, new RegistryAgency { Code = "kgd", Name = "Revenue" }],
        Systems =
        [
            new RegistrySystem { Id = "mju.population-registry", Name = "Population registry", Owner = "Registry team" },
            new RegistrySystem { Id = "kgd.tax-office", Name = "Tax office", Owner = "Tax team" },
            new RegistrySystem { Id = "kgd.customs", Name = "Customs", Owner = "Customs team" },
        ],
        Contracts =
        [
            new RegistryContract { Name = "mju.population.citizen-by-iin", Versions = [Version(1)] },
            new RegistryContract { Name = "mju.population.citizen-card", Publishers = ["mju.population-registry"], Versions = [Version(1)] },
        ],
        Queries =
        [
            new RegistryQuery
            {
                Query = "mju.population.citizen-by-iin",
                Version = 1,
                Response = "mju.population.citizen-card",
                ResponseVersion = 1,
                Provider = "mju.population-registry",
                Endpoint = "citizen-queries",
                Requesters = [new RegistryQueryRequester { System = "kgd.tax-office", Approved = Approved, Basis = "Test" }],
            },
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

    [Fact]
    public void An_approved_requester_may_publish_the_request_and_a_system_not_approved_may_not()
    {
        var definitions = TopologyGenerator.Generate(QueryRegistry(), "qazbus");

        // The broker enforces the right: customs cannot even put a request on the exchange.
        Assert.Matches(PermissionsOf(definitions, "kgd.tax-office").Write, "mju.population.citizen-by-iin.v1");
        Assert.DoesNotMatch(PermissionsOf(definitions, "kgd.customs").Write, "mju.population.citizen-by-iin.v1");
        Assert.DoesNotMatch(PermissionsOf(definitions, "mju.population-registry").Write, "mju.population.citizen-by-iin.v1");
    }

    [Fact]
    public void Only_the_provider_reads_the_requests()
    {
        var definitions = TopologyGenerator.Generate(QueryRegistry(), "qazbus");

        Assert.Matches(PermissionsOf(definitions, "mju.population-registry").Read, "mju.population.citizen-by-iin.v1");
        Assert.DoesNotMatch(PermissionsOf(definitions, "kgd.tax-office").Read, "mju.population.citizen-by-iin.v1");
        Assert.DoesNotMatch(PermissionsOf(definitions, "kgd.customs").Read, "mju.population.citizen-by-iin.v1");
    }

    [Fact]
    public void The_provider_may_answer_to_each_requesters_reply_exchange_and_by_direct_reply_to()
    {
        var provider = PermissionsOf(TopologyGenerator.Generate(QueryRegistry(), "qazbus"), "mju.population-registry");

        Assert.Matches(provider.Write, "kgd.tax-office.replies");
        Assert.Matches(provider.Write, "amq.default");
        Assert.DoesNotMatch(provider.Write, "kgd.customs.replies");
        Assert.DoesNotMatch(provider.Write, "kgd.tax-office.replies_error");
        Assert.DoesNotMatch(provider.Write, "amqXdefault");
        Assert.DoesNotMatch(provider.Read, "kgd.tax-office.replies");
    }

    [Fact]
    public void Nobody_but_a_provider_may_write_to_the_default_exchange()
    {
        var registry = QueryRegistry();
        var definitions = TopologyGenerator.Generate(registry with { Systems = [.. registry.Systems, new RegistrySystem { Id = "mju.census", Name = "Census", Owner = "Census team" }] }, "qazbus");

        foreach (var permission in definitions.Permissions.Where(p => p.User != "mju.population-registry"))
        {
            foreach (var (name, pattern) in Patterns(permission))
            {
                Assert.False(Regex.IsMatch("amq.default", pattern), $"{permission.User}'s {name} pattern {pattern} matches amq.default");
            }
        }

        // Nor does the registry without queries hand it out.
        Assert.All(TopologyGenerator.Generate(PrefixRegistry(), "qazbus").Permissions, p => Assert.DoesNotMatch(p.Write, "amq.default"));
    }

    [Fact]
    public void The_query_endpoint_and_the_reply_queue_are_their_systems_own()
    {
        var definitions = TopologyGenerator.Generate(QueryRegistry(), "qazbus");
        var requester = PermissionsOf(definitions, "kgd.tax-office");
        var provider = PermissionsOf(definitions, "mju.population-registry");

        // The provider's endpoint: its quorum queue bound to the request exchange, with its error queue and exchange.
        Assert.Contains(definitions.Queues, q => q.Name == "mju.population-registry.citizen-queries" && (string)q.Arguments["x-queue-type"] == "quorum");
        Assert.Contains(definitions.Bindings, b => b.Source == "mju.population.citizen-by-iin.v1" && b.Destination == "mju.population-registry.citizen-queries");
        Assert.Contains(definitions.Bindings, b => b.Source == "mju.population-registry.citizen-queries_error" && b.Destination == "mju.population-registry.citizen-queries_error");
        // The requester's reply queue behind its fanout exchange of the same name; no reply queue for customs.
        Assert.Contains(definitions.Exchanges, e => e.Name == "kgd.tax-office.replies" && e.Type == "fanout");
        Assert.Contains(definitions.Queues, q => q.Name == "kgd.tax-office.replies");
        Assert.Contains(definitions.Queues, q => q.Name == "kgd.tax-office.replies_error");
        Assert.Contains(definitions.Bindings, b => b.Source == "kgd.tax-office.replies" && b.Destination == "kgd.tax-office.replies");
        Assert.DoesNotContain(definitions.Queues, q => q.Name == "kgd.customs.replies");

        foreach (var (name, pattern) in Patterns(requester))
        {
            Assert.True(Regex.IsMatch("kgd.tax-office.replies", pattern), $"requester's {name} pattern {pattern} does not match its reply queue");
        }

        foreach (var (name, pattern) in Patterns(provider))
        {
            Assert.True(Regex.IsMatch("mju.population-registry.citizen-queries", pattern), $"provider's {name} pattern {pattern} does not match its query endpoint");
        }

        Assert.DoesNotMatch(PermissionsOf(definitions, "kgd.customs").Read, "kgd.tax-office.replies");
    }
}
