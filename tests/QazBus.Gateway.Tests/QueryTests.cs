using System.Net;
using System.Text.Json;
using QazBus.Gateway.Problems;
using QazBus.Wire;
using static QazBus.Gateway.Tests.PublishTests;

namespace QazBus.Gateway.Tests;

/// <summary>Queries over HTTP, answered by a real provider on the bus.</summary>
[Collection(GatewayCollection.Name)]
public sealed class QueryTests(GatewayFixture fixture)
{
    private const string CitizenByIin = "/v1/queries/mju.population.citizen-by-iin/v1";

    [Fact]
    public async Task A_query_returns_the_providers_answer_with_the_request_hash()
    {
        using var tax = GatewayFixture.Client(fixture.Gateway, fixture.TaxKey);
        var response = await tax.PostAsync(CitizenByIin, Json("""{"iin":"870412300415"}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("870412300415", JsonDocument.Parse(text).RootElement.GetProperty("iin").GetString());
        Assert.Matches("^[0-9a-zA-Z+/=_-]{20,}$", response.Headers.GetValues(WireHeaders.RequestHash).Single());
    }

    [Fact]
    public async Task A_typed_rejection_is_a_problem_with_the_request_hash()
    {
        using var tax = GatewayFixture.Client(fixture.Gateway, fixture.TaxKey);
        var response = await tax.PostAsync(CitizenByIin, Json($$"""{"iin":"{{GatewayFixture.UnknownIin}}"}"""));
        var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound, GatewayProblems.QueryRejectedPrefix + "no-data");
        Assert.Equal(response.Headers.GetValues(WireHeaders.RequestHash).Single(), problem.GetProperty("requestHash").GetString());
    }

    [Fact]
    public async Task No_answer_within_the_timeout_is_a_504()
    {
        using var tax = GatewayFixture.Client(fixture.Gateway, fixture.TaxKey);
        var response = await tax.PostAsync(CitizenByIin + "?timeout=1", Json($$"""{"iin":"{{GatewayFixture.SlowIin}}"}"""));
        await AssertProblemAsync(response, HttpStatusCode.GatewayTimeout, GatewayProblems.QueryTimeout);
        Assert.Single(response.Headers.GetValues(WireHeaders.RequestHash));
    }

    [Fact]
    public async Task A_bad_timeout_is_a_bad_parameter()
    {
        using var tax = GatewayFixture.Client(fixture.Gateway, fixture.TaxKey);
        await AssertProblemAsync(await tax.PostAsync(CitizenByIin + "?timeout=abc", Json("""{"iin":"870412300415"}""")), HttpStatusCode.BadRequest, GatewayProblems.BadParameter);
    }
}
