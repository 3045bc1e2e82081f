using QazBus.Schemas.Queries;
using QazBus.Schemas.Registry;

namespace QazBus.Schemas.Tests.Queries;

public sealed class RegistryQueryAccessPolicyTests
{
    private static RegistryQuery Query(string name, int version, params string[] requesters) => new()
    {
        Query = name,
        Version = version,
        Response = "mju.population.citizen-card",
        ResponseVersion = 1,
        Provider = "mju.population-registry",
        Endpoint = "citizen-queries",
        Requesters = [.. requesters.Select(r => new RegistryQueryRequester { System = r, Approved = new DateOnly(2026, 12, 1), Basis = "Test" })],
    };

    private static RegistryQueryAccessPolicy Policy() => new(new BusRegistry
    {
        Agencies = [],
        Systems = [],
        Contracts = [],
        Queries =
        [
            Query("mju.population.citizen-by-iin", 1, "kgd.tax-office"),
            Query("mju.population.citizen-by-iin", 2, "kgd.customs"),
            Query("mju.population.family-by-iin", 1),
        ],
    });

    [Theory]
    [InlineData("kgd.tax-office", "mju.population.citizen-by-iin", 1, true)]
    [InlineData("kgd.customs", "mju.population.citizen-by-iin", 2, true)]
    [InlineData("kgd.tax-office", "mju.population.citizen-by-iin", 2, false)] // approved for v1 only
    [InlineData("kgd.customs", "mju.population.citizen-by-iin", 1, false)]
    [InlineData("kgd.tax-office", "mju.population.family-by-iin", 1, false)] // a query without requesters
    [InlineData("kgd.tax-office", "mju.population.address-changed", 1, false)]
    [InlineData("KGD.tax-office", "mju.population.citizen-by-iin", 1, false)] // names are exact
    public void A_system_may_ask_exactly_the_query_versions_it_is_an_approved_requester_of(string requester, string query, int version, bool allowed)
    {
        Assert.Equal(allowed, Policy().MayAsk(requester, query, version));
    }

    [Fact]
    public void The_live_registry_lets_the_tax_office_ask_for_citizen_cards()
    {
        Assert.True(RegistryDocument.TryParse(File.ReadAllText(Repository.RegistryFile), out var document, out var problem), problem?.ToString());

        var policy = new RegistryQueryAccessPolicy(document!.Registry);

        Assert.True(policy.MayAsk("kgd.tax-office", "mju.population.citizen-by-iin", 1));
        Assert.False(policy.MayAsk("mju.population-registry", "mju.population.citizen-by-iin", 1));
    }
}
