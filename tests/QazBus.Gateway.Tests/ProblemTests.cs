using System.Net;
using QazBus.Gateway.Problems;
using static QazBus.Gateway.Tests.PublishTests;

namespace QazBus.Gateway.Tests;

/// <summary>Each cause of an error is a problem with its own type, and none echoes a field's value.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ProblemTests(GatewayFixture fixture)
{
    private const string AddressChanged = "/v1/messages/mju.population.address-changed/v1";

    [Fact]
    public async Task Bad_json_is_a_bad_json_problem()
    {
        using var client = GatewayFixture.Client(fixture.Gateway, fixture.PopulationKey);
        await AssertProblemAsync(await client.PostAsync(AddressChanged, Json("{\"iin\": \"8704")), HttpStatusCode.BadRequest, GatewayProblems.BadJson);
    }

    [Fact]
    public async Task A_schema_violation_names_the_field_and_not_its_value()
    {
        using var client = GatewayFixture.Client(fixture.Gateway, fixture.PopulationKey);
        var body = ValidAddressChange.Replace("870412300415", "12345SECRET", StringComparison.Ordinal);
        var response = await client.PostAsync(AddressChanged, Json(body));
        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, GatewayProblems.SchemaViolation);
        Assert.Equal("iin", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.DoesNotContain("12345SECRET", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_typed_value_is_a_schema_violation_naming_the_field()
    {
        using var client = GatewayFixture.Client(fixture.Gateway, fixture.PopulationKey);
        var body = ValidAddressChange.Replace("\"870412300415\"", "870412300415", StringComparison.Ordinal);
        var problem = await AssertProblemAsync(await client.PostAsync(AddressChanged, Json(body)), HttpStatusCode.UnprocessableEntity, GatewayProblems.SchemaViolation);
        Assert.Equal("iin", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.DoesNotContain("870412300415", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_required_field_is_named()
    {
        using var client = GatewayFixture.Client(fixture.Gateway, fixture.PopulationKey);
        var problem = await AssertProblemAsync(await client.PostAsync(AddressChanged, Json("""{"iin":"870412300415","validFrom":"2026-12-01"}""")),
            HttpStatusCode.UnprocessableEntity, GatewayProblems.SchemaViolation);
        Assert.Equal("newAddress", problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_unknown_contract_or_version_is_an_unknown_contract_problem()
    {
        using var client = GatewayFixture.Client(fixture.Gateway, fixture.PopulationKey);
        await AssertProblemAsync(await client.PostAsync("/v1/messages/mju.population.no-such-thing/v1", Json("{}")), HttpStatusCode.NotFound, GatewayProblems.UnknownContract);
        await AssertProblemAsync(await client.PostAsync("/v1/messages/mju.population.address-changed/v9", Json("{}")), HttpStatusCode.NotFound, GatewayProblems.UnknownContract);
    }

    [Fact]
    public async Task No_key_or_an_unregistered_key_is_not_authenticated()
    {
        using var anonymous = GatewayFixture.Client(fixture.Gateway, apiKey: null);
        await AssertProblemAsync(await anonymous.PostAsync(AddressChanged, Json(ValidAddressChange)), HttpStatusCode.Unauthorized, GatewayProblems.NotAuthenticated);
        using var stranger = GatewayFixture.Client(fixture.Gateway, "not-a-registered-key");
        await AssertProblemAsync(await stranger.PostAsync(AddressChanged, Json(ValidAddressChange)), HttpStatusCode.Unauthorized, GatewayProblems.NotAuthenticated);
    }

    [Fact]
    public async Task A_system_may_not_publish_a_contract_it_is_not_a_publisher_of()
    {
        using var tax = GatewayFixture.Client(fixture.Gateway, fixture.TaxKey);
        await AssertProblemAsync(await tax.PostAsync(AddressChanged, Json(ValidAddressChange)), HttpStatusCode.Forbidden, GatewayProblems.NotAllowed);
    }

    [Fact]
    public async Task A_system_may_not_ask_a_query_it_is_not_an_approved_requester_of()
    {
        using var population = GatewayFixture.Client(fixture.Gateway, fixture.PopulationKey);
        await AssertProblemAsync(await population.PostAsync("/v1/queries/mju.population.citizen-by-iin/v1", Json("""{"iin":"870412300415"}""")),
            HttpStatusCode.Forbidden, GatewayProblems.NotAllowed);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_too_large()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["QazBus:Gateway:MaxBodyBytes"] = "64" });
        using var client = GatewayFixture.Client(gateway, fixture.PopulationKey);
        await AssertProblemAsync(await client.PostAsync(AddressChanged, Json(ValidAddressChange)), HttpStatusCode.RequestEntityTooLarge, GatewayProblems.TooLarge);
    }

    [Fact]
    public async Task Requests_over_the_rate_limit_are_rate_limited_with_Retry_After()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["QazBus:Gateway:RateLimit:Permits"] = "2",
            ["QazBus:Gateway:RateLimit:Window"] = "01:00:00",
        });
        using var client = GatewayFixture.Client(gateway, fixture.PopulationKey);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync(AddressChanged, Json(ValidAddressChange))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync(AddressChanged, Json(ValidAddressChange))).StatusCode);
        var limited = await client.PostAsync(AddressChanged, Json(ValidAddressChange));
        await AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, GatewayProblems.RateLimited);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        // Another system has its own window.
        using var tax = GatewayFixture.Client(gateway, fixture.TaxKey);
        await AssertProblemAsync(await tax.PostAsync(AddressChanged, Json(ValidAddressChange)), HttpStatusCode.Forbidden, GatewayProblems.NotAllowed);
    }
}
