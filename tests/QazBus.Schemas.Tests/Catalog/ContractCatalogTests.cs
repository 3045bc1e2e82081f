using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using QazBus.Contracts;
using QazBus.Contracts.Population;
using QazBus.Schemas.Registry;
using QazBus.Schemas.Catalog;

namespace QazBus.Schemas.Tests.Catalog;

public sealed class ContractCatalogTests
{
    private static IReadOnlyList<ContractDescriptor> Code => ContractDiscovery.FindContracts(typeof(CitizenRegistered).Assembly);

    private static BusRegistry RealRegistry()
    {
        Assert.True(RegistryDocument.TryParse(File.ReadAllText(Repository.RegistryFile), out var document, out var problem), problem?.ToString());
        return document!.Registry;
    }

    private static string Generated => ContractCatalog.Write(RealRegistry(), Code);

    private static string[] Lines(string text) => text.Split('\n');

    [Fact]
    public void The_committed_catalog_is_what_the_contracts_and_registry_generate()
    {
        var committed = File.ReadAllText(Path.Combine(Repository.Root, "docs", "catalog.md")).ReplaceLineEndings("\n");

        Assert.True(
            committed == Generated,
            "docs/catalog.md is out of date: run 'dotnet run --project src/QazBus.Cli -- catalog --out docs/catalog.md' and commit it.");
    }

    [Fact]
    public void The_output_is_deterministic()
    {
        var reversedCode = Code.Reverse().ToList();
        var registry = RealRegistry();
        var shuffled = registry with
        {
            Subscriptions = [.. registry.Subscriptions.Reverse()],
            Contracts = [.. registry.Contracts.Reverse()],
            Agencies = [.. registry.Agencies.Reverse()],
            Systems = [.. registry.Systems.Reverse()],
            Queries = [.. registry.Queries.Reverse().Select(q => q with { Requesters = [.. q.Requesters.Reverse()] })],
        };

        Assert.Equal(Generated, ContractCatalog.Write(shuffled, reversedCode));
        Assert.EndsWith("\n", Generated, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", Generated, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_contract_names_its_owner_publishers_and_versions_with_status_and_sunset()
    {
        var text = Generated;

        Assert.Contains("## mju.population.citizen-registered", text, StringComparison.Ordinal);
        Assert.Contains("- **Owner agency:** `mju` — Ministry of Justice of the Republic of Kazakhstan", text, StringComparison.Ordinal);
        Assert.Contains("- **Publishers:** `mju.population-registry`", text, StringComparison.Ordinal);
        Assert.Contains("| v1 | **deprecated**, sunset 2027-06-30; instead: publish mju.population.citizen-registered v2 (CitizenRegisteredV2) | `mju.population.citizen-registered.v1` |", text, StringComparison.Ordinal);
        Assert.Contains("| v2 | active | `mju.population.citizen-registered.v2` |", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Fields_show_type_format_rules_required_personal_data_and_description_with_nested_names_dotted()
    {
        var lines = Lines(Generated);

        Assert.Contains("| `iin` | string | pattern `^\\d{12}$` | yes | **PD** | Individual identification number (IIN), 12 digits. |", lines);
        Assert.Contains("| `birthDate` | string (date) |  | yes | **PD** | Date of birth. |", lines);
        Assert.Contains("| `registeredAt` | string (date-time) |  | yes |  | When the registry recorded the registration. |", lines);
        Assert.Contains("| `newAddress.street` | string | 1–200 characters | yes | **PD** | Street, building and flat. |", lines);
        Assert.Contains("| `newAddress.postalCode` | string or null | pattern `^\\d{6}$` | no | **PD** | Postal code, 6 digits. |", lines);
        Assert.Contains("| `patronymic` | string or null | at most 100 characters | no | **PD** | Patronymic, when the citizen has one. |", lines);
    }

    [Fact]
    public void Subscribers_and_the_data_flow_table_name_who_receives_what_and_whether_it_is_personal_data()
    {
        var lines = Lines(Generated);

        Assert.Contains("| `kgd.tax-office` | `kgd` | `citizens` | v2 | 2026-11-01 | Sample approval: registration of new taxpayers |", lines);
        Assert.Contains(
            "| `mju` | `mju.population-registry` | [mju.population.address-changed](#mjupopulationaddress-changed) | v1 | `kgd` | `kgd.tax-office` | `kgd.tax-office.address-changes` | **yes**: `iin`, `newAddress` |",
            lines);
    }

    [Fact]
    public void Queries_name_request_response_provider_requesters_and_the_personal_data_asked_and_answered()
    {
        var lines = Lines(Generated);

        Assert.Contains("- [Queries](#queries)", lines);
        Assert.Contains("### mju.population.citizen-by-iin v1", lines);
        Assert.Contains("- **Request → response:** [mju.population.citizen-by-iin](#mjupopulationcitizen-by-iin) v1 → [mju.population.citizen-card](#mjupopulationcitizen-card) v1", lines);
        Assert.Contains("- **Provider:** `mju.population-registry` (`mju` — Ministry of Justice of the Republic of Kazakhstan), at the queue `mju.population-registry.citizen-queries`", lines);
        Assert.Contains("- **Personal data asked:** **yes**: `iin`", lines);
        Assert.Contains("- **Personal data answered:** **yes**: `iin`, `lastName`, `firstName`, `patronymic`, `birthDate`, `address`", lines);
        Assert.Contains("| `kgd.tax-office` | `kgd` | 2026-12-01 | Sample approval: identity check before opening a taxpayer record |", lines);
        // The request's publishers are its requesters; it has no subscribers.
        Assert.Contains("- **Publishers:** `kgd.tax-office` (the query's approved requesters)", lines);
        Assert.DoesNotContain("### mju.population.citizen-by-iin subscribers", lines);
    }

    [Fact]
    public void A_query_without_requesters_or_personal_data_says_so()
    {
        var request = ContractDescriptor.For(typeof(Ping));
        var response = ContractDescriptor.For(typeof(Pong));
        RegistryContract Entry(ContractDescriptor contract, params string[] publishers) => new()
        {
            Name = contract.Name,
            Publishers = publishers,
            Versions = [new RegistryContractVersion { Version = 1, Status = ContractVersionStatuses.Active }],
        };
        var registry = new BusRegistry
        {
            Agencies = [new RegistryAgency { Code = "test", Name = "Test agency" }],
            Systems = [new RegistrySystem { Id = "test.answerer", Name = "Answerer", Owner = "team" }],
            Contracts = [Entry(request), Entry(response, "test.answerer")],
            Queries =
            [
                new RegistryQuery
                {
                    Query = request.Name, Version = 1, Response = response.Name, ResponseVersion = 1, Provider = "test.answerer", Endpoint = "pings",
                },
            ],
        };

        var lines = Lines(ContractCatalog.Write(registry, [request, response], "registry.json"));

        Assert.Contains("- **Provider:** `test.answerer` (`test` — Test agency), at the queue `test.answerer.pings`", lines);
        Assert.Contains("- **Personal data asked:** no", lines);
        Assert.Contains("- **Personal data answered:** **yes**: `holder`", lines);
        Assert.Contains("_No approved requesters._", lines);
        Assert.Contains("- **Publishers:** — (the query's approved requesters)", lines);
    }

    [Contract("test.catalog.ping", 1)]
    private sealed record Ping : QazBus.Queries.IQuery<Pong>
    {
        public required string Text { get; init; }
    }

    [Contract("test.catalog.pong", 1)]
    private sealed record Pong
    {
        public required string Text { get; init; }

        [PersonalData]
        public string? Holder { get; init; }
    }

    [Fact]
    public void Arrays_enums_maps_inherited_marks_and_pipes_are_written_readably()
    {
        var contract = ContractDescriptor.For(typeof(Shapes));
        var registry = new BusRegistry
        {
            Agencies = [new RegistryAgency { Code = "test", Name = "Test agency" }],
            Systems = [new RegistrySystem { Id = "test.source", Name = "Source", Owner = "team" }],
            Contracts =
            [
                new RegistryContract
                {
                    Name = contract.Name,
                    Publishers = ["test.source"],
                    Versions = [new RegistryContractVersion { Version = 1, Status = ContractVersionStatuses.Active }],
                },
            ],
        };

        var fields = ContractCatalog.Fields(contract);
        var text = ContractCatalog.Write(registry, [contract], "registry.json");

        Assert.Equal(["kind", "people", "people[].iin", "people[].home", "people[].home.street", "scores", "count"], fields.Select(f => f.Name));
        var people = fields.Single(f => f.Name == "people");
        Assert.Equal("array of object", people.Type);
        Assert.Equal("1–5 items", people.Rules);
        Assert.Equal("string", fields.Single(f => f.Name == "kind").Type);
        Assert.Equal("one of `\"birth\"`, `\"death\"`", fields.Single(f => f.Name == "kind").Rules);
        var street = fields.Single(f => f.Name == "people[].home.street");
        Assert.True(street.PersonalData);
        Assert.Equal("people[].home", street.PersonalDataOf);
        Assert.Equal("map of integer", fields.Single(f => f.Name == "scores").Type);
        Assert.Equal("≥ 0; ≤ 10", fields.Single(f => f.Name == "count").Rules);
        Assert.Equal("object or null", fields.Single(f => f.Name == "people[].home").Type);
        Assert.Contains("| `people[].home.street` | string | ", text, StringComparison.Ordinal);
        Assert.Contains("**PD** (part of `people[].home`)", text, StringComparison.Ordinal);
        Assert.Contains("Either a \\| or b.", text, StringComparison.Ordinal);
        Assert.Contains("**yes**: `people[].iin`, `people[].home`", text, StringComparison.Ordinal);
        Assert.Contains("the registry `registry.json`", text, StringComparison.Ordinal);
        Assert.Contains("_No approved subscriptions._", text, StringComparison.Ordinal);
    }

    [Contract("test.catalog.shapes", 1)]
    private sealed record Shapes
    {
        [Description("Either a | or b.")]
        public required EventKind Kind { get; init; }

        [MinLength(1)]
        [MaxLength(5)]
        public required IReadOnlyList<Person> People { get; init; }

        public Dictionary<string, int> Scores { get; init; } = [];

        [Range(0, 10)]
        public int Count { get; init; }
    }

    private enum EventKind
    {
        Birth,
        Death,
    }

    private sealed record Person
    {
        [PersonalData]
        public required string Iin { get; init; }

        [PersonalData]
        public Home? Home { get; init; }
    }

    private sealed record Home
    {
        public required string Street { get; init; }
    }
}
