using System.Net;
using System.Text.Json;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace QazBus.Gateway.Tests;

/// <summary>Discovery: what the registry says, what the caller may do, each schema, and the OpenAPI 3.1 document.</summary>
[Collection(GatewayCollection.Name)]
public sealed class DiscoveryTests(GatewayFixture fixture)
{
    [Fact]
    public async Task The_caller_sees_what_it_may_publish_receive_and_ask()
    {
        using var tax = GatewayFixture.Client(fixture.Gateway, fixture.TaxKey);
        var me = JsonDocument.Parse(await tax.GetStringAsync("/v1/me")).RootElement;
        Assert.Equal("kgd.tax-office", me.GetProperty("system").GetString());
        Assert.Empty(me.GetProperty("publish").EnumerateArray());
        Assert.Contains(me.GetProperty("receive").EnumerateArray(), n => n.GetProperty("contract").GetString() == "mju.population.address-changed");
        Assert.Contains(me.GetProperty("ask").EnumerateArray(), n => n.GetProperty("contract").GetString() == "mju.population.citizen-by-iin");

        using var population = GatewayFixture.Client(fixture.Gateway, fixture.PopulationKey);
        var rights = JsonDocument.Parse(await population.GetStringAsync("/v1/me")).RootElement;
        Assert.Contains(rights.GetProperty("publish").EnumerateArray(), n => n.GetProperty("contract").GetString() == "mju.population.address-changed");
        Assert.Empty(rights.GetProperty("ask").EnumerateArray());
    }

    [Fact]
    public async Task Agencies_contracts_queries_and_each_schema_are_listed()
    {
        using var tax = GatewayFixture.Client(fixture.Gateway, fixture.TaxKey);
        var agencies = JsonDocument.Parse(await tax.GetStringAsync("/v1/agencies")).RootElement;
        Assert.Contains(agencies.EnumerateArray(), a => a.GetProperty("code").GetString() == "mju");
        var contracts = JsonDocument.Parse(await tax.GetStringAsync("/v1/contracts")).RootElement;
        var v2 = contracts.EnumerateArray().Single(c => c.GetProperty("contract").GetString() == "mju.population.citizen-registered" && c.GetProperty("version").GetInt32() == 2);
        var queries = JsonDocument.Parse(await tax.GetStringAsync("/v1/queries")).RootElement;
        Assert.Equal("mju.population-registry", queries.EnumerateArray().Single().GetProperty("provider").GetString());

        var schema = await tax.GetAsync(v2.GetProperty("schema").GetString());
        Assert.Equal(HttpStatusCode.OK, schema.StatusCode);
        var committed = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "src/QazBus.Contracts/Schemas/mju.population.citizen-registered.v2.schema.json")));
        Assert.Equal(committed.RootElement.GetRawText(), JsonDocument.Parse(await schema.Content.ReadAsStringAsync()).RootElement.GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await tax.GetAsync("/v1/contracts/mju.population.citizen-registered/v7/schema")).StatusCode);
    }

    [Fact]
    public async Task Discovery_needs_a_registered_caller()
    {
        using var anonymous = GatewayFixture.Client(fixture.Gateway, apiKey: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/me")).StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_is_valid_OpenAPI_3_1_and_describes_the_endpoints()
    {
        using var client = GatewayFixture.Client(fixture.Gateway, apiKey: null);
        var text = await client.GetStringAsync("/openapi/v1.json");

        var read = OpenApiDocument.Parse(text, "json");
        Assert.Empty(read.Diagnostic!.Errors);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, read.Diagnostic.SpecificationVersion);
        Assert.StartsWith("3.1", JsonDocument.Parse(text).RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var document = read.Document!;
        var errors = document.Validate(Microsoft.OpenApi.ValidationRuleSet.GetDefaultRuleSet());
        Assert.Empty(errors!);
        foreach (var path in new[] { "/v1/messages/{name}/v{version}", "/v1/queries/{name}/v{version}", "/v1/me", "/v1/contracts/{name}/v{version}/schema" })
        {
            Assert.True(document.Paths.ContainsKey(path), $"{path} is not in the document: {string.Join(", ", document.Paths.Keys)}");
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "QazBus.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("QazBus.sln not found above " + AppContext.BaseDirectory);
    }
}
