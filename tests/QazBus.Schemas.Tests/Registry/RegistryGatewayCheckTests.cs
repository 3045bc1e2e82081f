using System.Text.Json.Nodes;
using QazBus.Contracts.Population;
using QazBus.Schemas.Registry;

namespace QazBus.Schemas.Tests.Registry;

/// <summary>The gateway credentials of a system: hashes, named once, each of one system only.</summary>
public sealed class RegistryGatewayCheckTests
{
    private static readonly string Hash = new('a', 64);
    private static readonly string OtherHash = new('b', 64);

    private static IReadOnlyList<QazBus.Contracts.ContractDescriptor> Code => ContractDiscovery.FindContracts(typeof(CitizenRegistered).Assembly);

    private static string WithGateway(string first, string? second = null)
    {
        var registry = JsonNode.Parse(File.ReadAllText(Repository.RegistryFile))!.AsObject();
        var systems = registry["systems"]!.AsArray();
        systems[0]!["gateway"] = JsonNode.Parse(first);
        if (second is not null)
        {
            systems[1]!["gateway"] = JsonNode.Parse(second);
        }

        return registry.ToJsonString();
    }

    [Fact]
    public void Well_formed_credentials_pass()
    {
        var json = WithGateway(
            $$"""{ "clientCertificates": [ { "id": "2026-12", "spkiSha256": "{{Hash}}" } ], "apiKeys": [ { "id": "test", "sha256": "{{OtherHash}}" } ] }""");
        Assert.Empty(RegistryValidator.Validate(json, Code));
        var document = RegistryDocument.TryParse(json, out var parsed, out _) ? parsed! : throw new InvalidOperationException();
        Assert.Equal(Hash, document.Registry.Systems[0].Gateway!.ClientCertificates[0].SpkiSha256);
    }

    [Fact]
    public void Malformed_hashes_repeated_ids_and_shared_credentials_are_named()
    {
        var json = WithGateway(
            $$"""{ "clientCertificates": [ { "id": "2026-12", "spkiSha256": "not-hex" } ], "apiKeys": [ { "id": "test", "sha256": "{{Hash}}" }, { "id": "test", "sha256": "{{OtherHash}}" } ] }""",
            $$"""{ "apiKeys": [ { "id": "test", "sha256": "{{Hash}}" } ] }""");

        var problems = RegistryValidator.Validate(json, Code);

        Assert.Equal(
            [
                "$.systems[0].gateway.apiKeys[1].id",
                "$.systems[0].gateway.clientCertificates[0].spkiSha256",
                "$.systems[1].gateway.apiKeys[0].sha256",
            ],
            problems.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("identifies one system", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_field_in_the_gateway_section_is_refused()
    {
        var problems = RegistryValidator.Validate(WithGateway("""{ "apiKey": "plain-text-key" }"""), Code);
        Assert.Contains("unknown field 'apiKey'", Assert.Single(problems).Message, StringComparison.Ordinal);
    }
}
