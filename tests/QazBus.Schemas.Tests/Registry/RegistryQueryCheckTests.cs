using System.Text.Json.Nodes;
using QazBus.Contracts;
using QazBus.Contracts.Population;
using QazBus.Queries;
using QazBus.Schemas.Registry;

namespace QazBus.Schemas.Tests.Registry;

/// <summary>The checks of <c>$.queries</c>, on the fixture's one query (<c>mju.population.citizen-by-iin</c> v1, answered by the population registry).</summary>
public sealed partial class RegistryCheckTests
{
    private static JsonObject Query(JsonObject registry) => Array(registry, "queries")[0]!.AsObject();

    /// <summary>The fixture's contracts in code and <paramref name="more"/> records, each also listed in the registry by <paramref name="registry"/>.</summary>
    private static IReadOnlyList<ContractDescriptor> CodeWith(params Type[] more) => [.. Code, .. more.Select(ContractDescriptor.For)];

    private static JsonObject ContractEntry(string name, params string[] publishers) => new JsonObject
    {
        ["name"] = name,
        ["publishers"] = new JsonArray([.. publishers.Select(p => (JsonNode)p)]),
        ["versions"] = JsonNode.Parse("""[{ "version": 1, "status": "active" }]"""),
    };

    [Fact]
    public void A_query_with_an_unregistered_request_or_response_version_is_named_with_its_place()
    {
        var json = Edited(r => Query(r)["responseVersion"] = 2);

        var problems = RegistryValidator.Validate(json, Code);

        var missing = Assert.Single(problems, p => p.Path == "$.queries[0].responseVersion");
        Assert.Equal(LineOf(json, "\"responseVersion\": 2"), missing.Line);
        Assert.Contains("response contract 'mju.population.citizen-card' has no version 2 in the registry (versions: 1)", missing.Message, StringComparison.Ordinal);
        // The record says CitizenByIin is answered with CitizenCard v1: the registry disagrees.
        Assert.Contains(problems, p => p.Path == "$.queries[0].response" && p.Message.Contains("answered with 'mju.population.citizen-card' v1 in code", StringComparison.Ordinal));
    }

    [Fact]
    public void A_query_on_an_unknown_request_contract_is_named_with_its_place()
    {
        var json = Edited(r => Query(r)["query"] = "mju.population.citizen-by-bin");

        var problems = RegistryValidator.Validate(json, Code);

        var unknown = Assert.Single(problems, p => p.Path == "$.queries[0].query");
        Assert.Equal(LineOf(json, "\"mju.population.citizen-by-bin\""), unknown.Line);
        Assert.Contains("request contract 'mju.population.citizen-by-bin' is not in $.contracts", unknown.Message, StringComparison.Ordinal);
        // And the real query in code now has no entry.
        Assert.Contains(problems, p => p.Path == "$.queries" && p.Message.Contains("'mju.population.citizen-by-iin' v1 is in code but not in $.queries", StringComparison.Ordinal));
    }

    [Fact]
    public void A_query_whose_response_another_agency_owns_is_refused()
    {
        var json = Edited(r =>
        {
            Array(r, "contracts").Add(ContractEntry("mju.test.ask-kgd"));
            Array(r, "contracts").Add(ContractEntry("kgd.test.answer", "kgd.tax-office"));
            var query = Query(r).DeepClone().AsObject();
            query["query"] = "mju.test.ask-kgd";
            query["response"] = "kgd.test.answer";
            Array(r, "queries").Add(query);
        });

        var problem = Assert.Single(RegistryValidator.Validate(json, CodeWith(typeof(AskKgd), typeof(KgdAnswer))));

        Assert.Equal("$.queries[1].response", problem.Path);
        Assert.Equal(LineOf(json, "\"response\": \"kgd.test.answer\""), problem.Line);
        Assert.Contains("owned by agency 'kgd', but the request 'mju.test.ask-kgd' by 'mju'", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kgd.tax-office", "only a system of the owner agency 'mju' may answer query 'mju.population.citizen-by-iin' v1")]
    [InlineData("mju.census", "provider 'mju.census' of query 'mju.population.citizen-by-iin' v1 is not a system in $.systems")]
    public void The_provider_is_a_system_of_the_answering_agency(string provider, string expected)
    {
        var json = Edited(r => Query(r)["provider"] = provider);

        var problem = SingleProblem(json);

        Assert.Equal("$.queries[0].provider", problem.Path);
        Assert.Equal(LineOf(json, $"\"provider\": \"{provider}\""), problem.Line);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_provider_publishes_the_response()
    {
        var json = Edited(r => Array(r, "contracts")[3]!.AsObject().Remove("publishers"));

        var problem = SingleProblem(json);

        Assert.Equal("$.queries[0].provider", problem.Path);
        Assert.Contains("add it to $.contracts[3].publishers", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Citizen_Queries", "endpoint 'Citizen_Queries' is invalid")]
    [InlineData("replies", "'replies' is the provider's reply queue")]
    public void The_query_endpoint_is_a_valid_endpoint_name_other_than_replies(string endpoint, string expected)
    {
        var json = Edited(r => Query(r)["endpoint"] = endpoint);

        var problem = SingleProblem(json);

        Assert.Equal("$.queries[0].endpoint", problem.Path);
        Assert.Equal(LineOf(json, $"\"endpoint\": \"{endpoint}\""), problem.Line);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_endpoint_that_also_receives_a_subscription_is_refused()
    {
        var json = Edited(r => Array(r, "subscriptions").Add(JsonNode.Parse("""
            { "system": "mju.population-registry", "endpoint": "citizen-queries", "contract": "mju.population.address-changed",
              "version": 1, "approved": "2026-12-01", "basis": "Test" }
            """)));

        var problem = SingleProblem(json);

        Assert.Equal("$.queries[0].endpoint", problem.Path);
        Assert.Contains("also receives the subscription at $.subscriptions[3]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_requester_is_a_known_system_listed_once_with_a_basis()
    {
        var json = Edited(r =>
        {
            var requesters = Query(r)["requesters"]!.AsArray();
            requesters[0]!["basis"] = " ";
            requesters.Add(JsonNode.Parse("""{ "system": "egov.portal", "approved": "2026-12-01", "basis": "Test" }"""));
            requesters.Add(JsonNode.Parse("""{ "system": "kgd.tax-office", "approved": "2026-12-02", "basis": "Again" }"""));
        });

        var problems = RegistryValidator.Validate(json, Code);

        Assert.Equal(["$.queries[0].requesters[0].basis", "$.queries[0].requesters[1].system", "$.queries[0].requesters[2].system"], problems.Select(p => p.Path));
        Assert.Contains("names no legal basis", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("requester 'egov.portal' of query 'mju.population.citizen-by-iin' v1 is not a system in $.systems", problems[1].Message, StringComparison.Ordinal);
        Assert.Equal(LineOf(json, "\"system\": \"egov.portal\""), problems[1].Line);
        Assert.Contains("'kgd.tax-office' is listed twice for query 'mju.population.citizen-by-iin' v1 (first at $.queries[0].requesters[0])", problems[2].Message, StringComparison.Ordinal);
        Assert.Equal(LineOf(json, "\"system\": \"kgd.tax-office\"", occurrence: 5), problems[2].Line);
    }

    [Fact]
    public void A_query_version_listed_twice_is_named_with_its_place_and_the_first_one()
    {
        var json = Edited(r => Array(r, "queries").Add(Query(r).DeepClone()));

        var problem = SingleProblem(json);

        Assert.Equal("$.queries[1].query", problem.Path);
        Assert.Equal(LineOf(json, "\"query\": \"mju.population.citizen-by-iin\"", occurrence: 2), problem.Line);
        Assert.Contains("listed twice (first at $.queries[0])", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_key_in_a_query_or_requester_is_reported_rather_than_ignored()
    {
        var inQuery = Edited(r => Query(r)["respons"] = "mju.population.citizen-card");
        var inRequester = Edited(r => Query(r)["requesters"]![0]!["aproved"] = "2026-12-01");

        var queryProblem = SingleProblem(inQuery);
        var requesterProblem = SingleProblem(inRequester);

        Assert.Equal("$.queries[0].respons", queryProblem.Path);
        Assert.Contains("unknown field 'respons'", queryProblem.Message, StringComparison.Ordinal);
        Assert.Equal("$.queries[0].requesters[0].aproved", requesterProblem.Path);
        Assert.Contains("unknown field 'aproved'", requesterProblem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_request_lists_no_publishers_its_requesters_publish_it()
    {
        var json = Edited(r => Array(r, "contracts")[2]!["publishers"] = new JsonArray("mju.population-registry"));

        var problem = SingleProblem(json);

        Assert.Equal("$.contracts[2].publishers", problem.Path);
        Assert.Contains("is a query request: the systems that publish it are its approved requesters in $.queries", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_subscription_to_a_query_request_is_refused()
    {
        var json = Edited(r => Array(r, "subscriptions").Add(JsonNode.Parse("""
            { "system": "kgd.tax-office", "endpoint": "snoop", "contract": "mju.population.citizen-by-iin",
              "version": 1, "approved": "2026-12-01", "basis": "Test" }
            """)));

        var problem = SingleProblem(json);

        Assert.Equal("$.subscriptions[3].contract", problem.Path);
        Assert.Contains("would let 'kgd.tax-office' read every system's requests", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_subscription_at_the_replies_endpoint_is_refused()
    {
        var json = Edited(r => Array(r, "subscriptions")[0]!["endpoint"] = "replies");

        var problem = SingleProblem(json);

        Assert.Equal("$.subscriptions[0].endpoint", problem.Path);
        Assert.Contains("reply queue", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_in_code_without_an_entry_is_reported()
    {
        var json = Edited(r => r.Remove("queries"));

        var problem = SingleProblem(json);

        Assert.Equal("$.queries", problem.Path);
        Assert.Contains("query 'mju.population.citizen-by-iin' v1 is in code but not in $.queries", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_entry_on_a_record_that_is_no_query_is_refused()
    {
        var json = Edited(r =>
        {
            Array(r, "contracts").Add(ContractEntry("mju.test.not-a-query"));
            var query = Query(r).DeepClone().AsObject();
            query["query"] = "mju.test.not-a-query";
            Array(r, "queries").Add(query);
        });

        var problem = Assert.Single(RegistryValidator.Validate(json, CodeWith(typeof(NotAQuery))));

        Assert.Equal("$.queries[1].query", problem.Path);
        Assert.Contains("NotAQuery does not implement IQuery<TResponse>", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_response_in_the_registry_is_the_one_the_record_names()
    {
        var json = Edited(r =>
        {
            Array(r, "contracts").Add(ContractEntry("mju.test.card-by-iin"));
            var query = Query(r).DeepClone().AsObject();
            query["query"] = "mju.test.card-by-iin";
            query["response"] = "mju.population.citizen-registered";
            query["responseVersion"] = 2;
            Array(r, "queries").Add(query);
        });

        var problem = Assert.Single(RegistryValidator.Validate(json, CodeWith(typeof(CardByIin))));

        Assert.Equal("$.queries[1].response", problem.Path);
        Assert.Contains("is answered with 'mju.population.citizen-card' v1 in code (CardByIin : IQuery<CitizenCard>), not 'mju.population.citizen-registered' v2", problem.Message, StringComparison.Ordinal);
    }

    [Contract("mju.test.ask-kgd", 1)]
    private sealed record AskKgd : IQuery<KgdAnswer>
    {
        public required string Iin { get; init; }
    }

    [Contract("kgd.test.answer", 1)]
    private sealed record KgdAnswer
    {
        public required string Iin { get; init; }
    }

    [Contract("mju.test.not-a-query", 1)]
    private sealed record NotAQuery
    {
        public required string Iin { get; init; }
    }

    [Contract("mju.test.card-by-iin", 1)]
    private sealed record CardByIin : IQuery<CitizenCard>
    {
        public required string Iin { get; init; }
    }
}
