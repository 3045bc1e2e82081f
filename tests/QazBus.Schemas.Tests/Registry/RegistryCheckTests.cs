using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using QazBus.Contracts;
using QazBus.Contracts.Population;
using QazBus.Schemas.Registry;

namespace QazBus.Schemas.Tests.Registry;

public sealed partial class RegistryCheckTests
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static IReadOnlyList<ContractDescriptor> AllCode => ContractDiscovery.FindContracts(typeof(CitizenRegistered).Assembly);

    /// <summary>
    /// The contracts in code that the fixture knows: a contract added to code later (with its entry in the live
    /// registry) is no problem of the fixture's.
    /// </summary>
    private static IReadOnlyList<ContractDescriptor> Code { get; } = FixtureContracts();

    private static string LiveRegistry => File.ReadAllText(Repository.RegistryFile);

    private static string Fixture => File.ReadAllText(Repository.RegistryFixture);

    private static IReadOnlyList<ContractDescriptor> FixtureContracts()
    {
        var names = JsonNode.Parse(Fixture)!["contracts"]!.AsArray().Select(c => (string)c!["name"]!).ToHashSet(StringComparer.Ordinal);
        return [.. AllCode.Where(c => names.Contains(c.Name))];
    }

    /// <summary>The fixture registry, edited by <paramref name="edit"/>, written out indented.</summary>
    private static string Edited(Action<JsonObject> edit)
    {
        var registry = JsonNode.Parse(Fixture)!.AsObject();
        edit(registry);
        return registry.ToJsonString(Indented);
    }

    /// <summary>The 1-based line of the <paramref name="occurrence"/>th line containing <paramref name="text"/>.</summary>
    private static int LineOf(string json, string text, int occurrence = 1)
    {
        var lines = json.ReplaceLineEndings("\n").Split('\n');
        var found = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(text, StringComparison.Ordinal) && ++found == occurrence)
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException($"'{text}' occurs fewer than {occurrence} times.");
    }

    private static RegistryProblem SingleProblem(string json)
    {
        var problems = RegistryValidator.Validate(json, Code);
        Assert.True(problems.Count == 1, string.Join("\n", problems));
        return problems[0];
    }

    private static JsonArray Array(JsonObject registry, string name) => registry[name]!.AsArray();

    [Fact]
    public void The_live_registry_is_sound()
    {
        Assert.Empty(RegistryValidator.Validate(LiveRegistry, AllCode));
    }

    [Fact]
    public void The_fixture_is_sound()
    {
        Assert.Empty(RegistryValidator.Validate(Fixture, Code));
    }

    [Fact]
    public void A_system_of_an_unknown_agency_is_named_with_its_place()
    {
        var json = Edited(r => Array(r, "systems").Add(JsonNode.Parse("""{ "id": "egov.portal", "name": "Portal", "owner": "Portal team" }""")));

        var problem = SingleProblem(json);

        Assert.Equal("$.systems[2].id", problem.Path);
        Assert.Equal(LineOf(json, "\"egov.portal\""), problem.Line);
        Assert.Contains("agency 'egov', which is not in $.agencies", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_system_whose_id_prefixes_contract_names_is_refused_at_its_place()
    {
        // 'mju.population.' begins every mju contract: the system would own their exchanges by the broker's permissions.
        var json = Edited(r => Array(r, "systems").Add(JsonNode.Parse("""{ "id": "mju.population", "name": "Population", "owner": "Population team" }""")));

        var problems = RegistryValidator.Validate(json, Code);

        // One problem per contract, in name order: address-changed, citizen-by-iin, citizen-card, citizen-registered.
        Assert.Equal(Enumerable.Repeat("$.systems[2].id", 4), problems.Select(p => p.Path));
        Assert.All(problems, p => Assert.Equal(LineOf(json, "\"mju.population\""), p.Line));
        Assert.Contains("'mju.population' is a prefix of contract 'mju.population.address-changed'", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("would own that contract's exchanges (mju.population.citizen-registered.v1, mju.population.citizen-registered.v2)", problems[3].Message, StringComparison.Ordinal);
        Assert.All(problems, p => Assert.Contains("rename the system", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_system_whose_id_is_a_contract_name_is_refused()
    {
        // The exchange 'mju.population.v1' is '{system}.{endpoint}' in form: it would be the system's own.
        var json = Edited(r =>
        {
            Array(r, "systems").Add(JsonNode.Parse("""{ "id": "mju.population", "name": "Population", "owner": "Population team" }"""));
            Array(r, "contracts").Add(JsonNode.Parse("""{ "name": "mju.population", "publishers": ["mju.population-registry"], "versions": [{ "version": 1, "status": "active" }] }"""));
        });

        var problems = RegistryValidator.Validate(json, Code);

        Assert.Contains(problems, p => p.Path == "$.systems[2].id" && p.Message.Contains("'mju.population' is the name of contract 'mju.population'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_system_whose_id_prefixes_the_platforms_queues_is_refused()
    {
        var json = Edited(r =>
        {
            Array(r, "agencies").Add(JsonNode.Parse("""{ "code": "qazbus", "name": "The platform" }"""));
            Array(r, "systems").Add(JsonNode.Parse("""{ "id": "qazbus.delay", "name": "Delay", "owner": "Someone" }"""));
        });

        var problem = SingleProblem(json);

        Assert.Equal("$.systems[2].id", problem.Path);
        Assert.Contains("'qazbus.delay' is a prefix of the platform's qazbus.delay.1s,", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_subscription_to_an_unknown_contract_version_is_named_with_its_place()
    {
        var json = Edited(r => Array(r, "subscriptions")[0]!["version"] = 3);

        var problem = SingleProblem(json);

        Assert.Equal("$.subscriptions[0].version", problem.Path);
        Assert.Equal(LineOf(json, "\"version\": 3"), problem.Line);
        Assert.Contains("has no version 3", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contract_version_that_is_not_in_code_is_named_with_its_place()
    {
        var json = Edited(r => Array(r, "contracts")[0]!["versions"]!.AsArray().Add(
            JsonNode.Parse("""{ "version": 9, "status": "active", "logging": "metadata-only" }""")));

        var problem = SingleProblem(json);

        Assert.Equal("$.contracts[0].versions[1].version", problem.Path);
        Assert.Equal(LineOf(json, "\"version\": 9"), problem.Line);
        Assert.Contains("v9 is not in code", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contract_in_code_missing_from_the_registry_is_reported()
    {
        var json = Edited(r => Array(r, "contracts").RemoveAt(0));

        var problems = RegistryValidator.Validate(json, Code);

        Assert.Contains(problems, p => p.Path == "$.contracts" && p.Message.Contains("'mju.population.address-changed' v1 is in code but not in the registry", StringComparison.Ordinal));
    }

    [Fact]
    public void A_duplicate_system_is_named_with_its_place_and_the_first_one()
    {
        var json = Edited(r => Array(r, "systems").Add(Array(r, "systems")[1]!.DeepClone()));

        var problem = SingleProblem(json);

        Assert.Equal("$.systems[2].id", problem.Path);
        Assert.Equal(LineOf(json, "\"id\": \"kgd.tax-office\"", occurrence: 2), problem.Line);
        Assert.Contains("listed twice (first at $.systems[1])", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_JSON_is_reported_with_its_line()
    {
        var lines = Fixture.ReplaceLineEndings("\n").Split('\n').ToList();
        var broken = LineOf(Fixture, "\"code\": \"kgd\"");
        lines[broken - 1] = lines[broken - 1].Replace("\"code\": \"kgd\",", "\"code\": \"kgd\"", StringComparison.Ordinal);
        var json = string.Join('\n', lines);

        var problem = SingleProblem(json);

        Assert.Equal(broken, problem.Line);
        Assert.Contains("not valid JSON", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_key_is_reported_rather_than_ignored()
    {
        var json = Edited(r =>
        {
            var subscription = Array(r, "subscriptions")[0]!.AsObject();
            subscription["aproved"] = subscription["approved"]!.DeepClone();
        });

        var problem = SingleProblem(json);

        Assert.Equal("$.subscriptions[0].aproved", problem.Path);
        Assert.Contains("unknown field 'aproved'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_key_is_reported_with_the_object_it_belongs_to()
    {
        var json = Edited(r => Array(r, "systems")[0]!.AsObject().Remove("owner"));

        var problem = SingleProblem(json);

        Assert.Equal("$.systems[0]", problem.Path);
        Assert.Contains("'owner'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deprecated_version_needs_a_sunset_date()
    {
        var json = Edited(r => Array(r, "contracts")[0]!["versions"]![0]!["status"] = "deprecated");

        var problems = RegistryValidator.Validate(json, Code);

        Assert.Contains(problems, p => p.Path == "$.contracts[0].versions[0].status" && p.Message.Contains("no sunset date", StringComparison.Ordinal));
    }

    [Fact]
    public void A_subscription_to_a_retired_version_is_refused()
    {
        // citizen-registered v1 is deprecated in code; retiring it in the registry keeps the same sunset date.
        var json = Edited(r => Array(r, "contracts")[1]!["versions"]![0]!["status"] = "retired");

        var problem = SingleProblem(json);

        Assert.Equal("$.subscriptions[1].version", problem.Path);
        Assert.Contains("is retired", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_deprecated_in_code_must_be_deprecated_in_the_registry_on_the_same_day()
    {
        var active = Edited(r =>
        {
            var version = Array(r, "contracts")[1]!["versions"]![0]!.AsObject();
            version["status"] = "active";
            version.Remove("sunset");
        });
        var otherDay = Edited(r => Array(r, "contracts")[1]!["versions"]![0]!["sunset"] = "2030-01-01");

        var activeProblem = SingleProblem(active);
        var otherDayProblem = SingleProblem(otherDay);

        Assert.Equal("$.contracts[1].versions[0].status", activeProblem.Path);
        Assert.Contains("deprecated in code ([ContractDeprecated(", activeProblem.Message, StringComparison.Ordinal);
        Assert.Equal("$.contracts[1].versions[0].sunset", otherDayProblem.Path);
        Assert.Contains("2030-01-01 in the registry", otherDayProblem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_deprecated_only_in_the_registry_asks_for_the_attribute_in_code()
    {
        var json = Edited(r =>
        {
            var version = Array(r, "contracts")[0]!["versions"]![0]!;
            version["status"] = "deprecated";
            version["sunset"] = "2028-01-31";
        });

        var problem = SingleProblem(json);

        Assert.Equal("$.contracts[0].versions[0].status", problem.Path);
        Assert.Contains("add [ContractDeprecated(\"2028-01-31\")] to AddressChanged", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_systems_of_the_owner_agency_may_publish_a_contract()
    {
        var json = Edited(r => Array(r, "contracts")[0]!["publishers"]!.AsArray().Add("kgd.tax-office"));

        var problem = SingleProblem(json);

        Assert.Equal("$.contracts[0].publishers[1]", problem.Path);
        Assert.Contains("only systems of the owner agency 'mju'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_must_follow_the_naming_rules_of_the_bus()
    {
        var json = Edited(r =>
        {
            Array(r, "subscriptions")[0]!["endpoint"] = "Address_Changes";
            Array(r, "agencies")[0]!["code"] = "MJU";
        });

        var problems = RegistryValidator.Validate(json, Code);

        Assert.Contains(problems, p => p.Path == "$.subscriptions[0].endpoint");
        Assert.Contains(problems, p => p.Path == "$.agencies[0].code");
    }

    [Fact]
    public void Well_formed_public_keys_pass_and_malformed_ones_are_named()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var weakRsa = RSA.Create(1024);
        var good = Convert.ToBase64String(ecdsa.ExportSubjectPublicKeyInfo());
        var weak = Convert.ToBase64String(weakRsa.ExportSubjectPublicKeyInfo());
        var json = Edited(r => Array(r, "systems")[0]!["publicKeys"] = JsonNode.Parse($$"""
            [
              { "id": "2026-01", "algorithm": "ecdsa-p256", "key": "{{good}}", "notAfter": "2027-12-31" },
              { "id": "2026-02", "algorithm": "ecdsa-p384", "key": "{{good}}" },
              { "id": "2026-03", "algorithm": "rsa", "key": "{{weak}}" },
              { "id": "2026-04", "algorithm": "ed448", "key": "{{good}}" },
              { "id": "2026-01", "algorithm": "ecdsa-p256", "key": "not base64!" }
            ]
            """));

        var problems = RegistryValidator.Validate(json, Code);

        Assert.Equal(
            [
                "$.systems[0].publicKeys[1].key",
                "$.systems[0].publicKeys[2].key",
                "$.systems[0].publicKeys[3].algorithm",
                "$.systems[0].publicKeys[4].id",
                "$.systems[0].publicKeys[4].key",
            ],
            problems.Select(p => p.Path));
        Assert.Contains("at least 2048", problems[1].Message, StringComparison.Ordinal);
    }
}

/// <summary>The registry check and the SDK agree on what an upcasting handler binds.</summary>
public sealed partial class RegistryCheckTests
{
    [Fact]
    public void A_subscription_to_v2_whose_handler_upcasts_v1_needs_the_v1_subscription_too()
    {
        // Without the v1 entry the v2 handler's queue is still bound to v1's exchange (the upcaster): the registry
        // must approve that, or the broker refuses the binding under managed topology.
        var json = Edited(registry =>
        {
            var subscriptions = registry["subscriptions"]!.AsArray();
            var v1 = subscriptions.First(s => (string)s!["contract"]! == "mju.population.citizen-registered" && (int)s["version"]! == 1)!;
            subscriptions.Remove(v1);
        });

        var problem = SingleProblem(json);

        Assert.Equal("$.subscriptions[1].version", problem.Path);
        Assert.Contains("whose handler also receives v1 through the upcaster", problem.Message, StringComparison.Ordinal);
        Assert.Contains("'mju.population.citizen-registered.v1'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_both_versions_approved_the_upcast_binding_is_no_problem() =>
        Assert.Empty(RegistryValidator.Validate(Fixture, Code));
}
