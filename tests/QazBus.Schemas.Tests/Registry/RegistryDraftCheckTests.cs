using System.Text.Json;
using System.Text.Json.Nodes;
using QazBus.Contracts;
using QazBus.Contracts.Population;
using QazBus.Schemas.Registry;

namespace QazBus.Schemas.Tests.Registry;

/// <summary>A version is a draft in the registry exactly when its record is marked [ContractDraft].</summary>
public sealed class RegistryDraftCheckTests
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// The contracts in code that the fixture knows (a contract added to code later is no problem of the fixture's),
    /// plus one under review.
    /// </summary>
    private static IReadOnlyList<ContractDescriptor> CodeWithDraft { get; } = FixtureCodeWithDraft();

    private static IReadOnlyList<ContractDescriptor> FixtureCodeWithDraft()
    {
        var names = JsonNode.Parse(File.ReadAllText(Repository.RegistryFixture))!["contracts"]!.AsArray()
            .Select(c => (string)c!["name"]!).ToHashSet(StringComparer.Ordinal);
        return
        [
            .. ContractDiscovery.FindContracts(typeof(CitizenRegistered).Assembly).Where(c => names.Contains(c.Name)),
            ContractDescriptor.For(typeof(BenefitGranted)),
        ];
    }

    /// <summary>The fixture registry with the draft contract listed at <c>$.contracts[4]</c> as <paramref name="version"/>.</summary>
    private static string WithBenefitGranted(string version)
    {
        var registry = JsonNode.Parse(File.ReadAllText(Repository.RegistryFixture))!.AsObject();
        registry["contracts"]!.AsArray().Add(JsonNode.Parse($$"""
            { "name": "mju.population.benefit-granted", "publishers": ["mju.population-registry"], "versions": [{{version}}] }
            """));
        return registry.ToJsonString(Indented);
    }

    private static RegistryProblem SingleProblem(string json, IReadOnlyList<ContractDescriptor> code)
    {
        var problems = RegistryValidator.Validate(json, code);
        Assert.True(problems.Count == 1, string.Join("\n", problems));
        return problems[0];
    }

    [Fact]
    public void A_draft_in_code_and_in_the_registry_is_sound()
    {
        Assert.Empty(RegistryValidator.Validate(WithBenefitGranted("""{ "version": 1, "status": "draft" }"""), CodeWithDraft));
    }

    [Fact]
    public void A_draft_in_code_that_the_registry_calls_active_is_named_with_its_place()
    {
        var problem = SingleProblem(WithBenefitGranted("""{ "version": 1, "status": "active" }"""), CodeWithDraft);

        Assert.Equal("$.contracts[4].versions[0].status", problem.Path);
        Assert.Contains("is a draft in code ([ContractDraft] on BenefitGranted) but active in the registry", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_draft_in_the_registry_whose_record_is_published_asks_for_the_mark()
    {
        var registry = JsonNode.Parse(File.ReadAllText(Repository.RegistryFixture))!.AsObject();
        registry["contracts"]![0]!["versions"]![0]!["status"] = "draft";
        var code = CodeWithDraft.Where(c => c.Name != "mju.population.benefit-granted").ToList();

        var problem = SingleProblem(registry.ToJsonString(Indented), code);

        Assert.Equal("$.contracts[0].versions[0].status", problem.Path);
        Assert.Contains("is a draft in the registry but published in code: add [ContractDraft] to AddressChanged", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_draft_has_no_sunset_date()
    {
        var problem = SingleProblem(WithBenefitGranted("""{ "version": 1, "status": "draft", "sunset": "2028-01-01" }"""), CodeWithDraft);

        Assert.Equal("$.contracts[4].versions[0].sunset", problem.Path);
        Assert.Contains("is draft but has a sunset date", problem.Message, StringComparison.Ordinal);
    }
}

/// <summary>A contract of the population registry under review, for the registry's draft checks.</summary>
[Contract("mju.population.benefit-granted", 1)]
[ContractDraft]
public sealed record BenefitGranted
{
    public required string Iin { get; init; }
}
