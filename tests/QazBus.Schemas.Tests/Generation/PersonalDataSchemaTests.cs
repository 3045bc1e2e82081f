using System.Text.Json.Nodes;
using QazBus.Contracts;
using QazBus.Contracts.Population;

namespace QazBus.Schemas.Tests.Generation;

public sealed class PersonalDataSchemaTests
{
    private static bool Marked(JsonObject schema, params string[] path)
    {
        JsonNode node = schema;
        foreach (var name in path)
        {
            node = node["properties"]![name]!;
        }

        return node["x-qazbus-personal-data"] is { } mark && mark.GetValue<bool>();
    }

    [Fact]
    public void Fields_marked_PersonalData_carry_the_extension_keyword_and_others_do_not()
    {
        var schema = ContractSchemaGenerator.Generate(typeof(CitizenRegistered));

        Assert.True(Marked(schema, "iin"));
        Assert.True(Marked(schema, "fullName"));
        Assert.True(Marked(schema, "birthDate"));
        Assert.False(Marked(schema, "registeredAt"));
        Assert.Null(schema["x-qazbus-personal-data"]);
    }

    [Fact]
    public void Nested_fields_are_marked_too()
    {
        var schema = ContractSchemaGenerator.Generate(typeof(AddressChanged));

        Assert.True(Marked(schema, "newAddress"));
        Assert.True(Marked(schema, "newAddress", "street"));
        Assert.True(Marked(schema, "newAddress", "postalCode"));
        Assert.False(Marked(schema, "validFrom"));
    }

    [Fact]
    public void The_mark_is_written_right_after_the_description_and_on_fields_without_one()
    {
        var text = ContractSchemaGenerator.GenerateText(ContractDescriptor.For(typeof(PersonalDataShapes)));
        var schema = (JsonObject)SchemaJson.Parse(text);

        Assert.Contains("\"description\": \"Surname.\",\n      \"x-qazbus-personal-data\": true,\n      \"type\": \"string\"", text, StringComparison.Ordinal);
        Assert.True(Marked(schema, "undescribed"));
        Assert.True(schema["properties"]!["documents"]!["items"]!["properties"]!["number"]!["x-qazbus-personal-data"]!.GetValue<bool>());
        Assert.False(Marked(schema, "count"));
    }

    [Contract("test.personal-data.shapes", 1)]
    private sealed record PersonalDataShapes
    {
        [System.ComponentModel.Description("Surname.")]
        [PersonalData]
        public required string LastName { get; init; }

        [PersonalData]
        public string? Undescribed { get; init; }

        public IReadOnlyList<IdentityDocument> Documents { get; init; } = [];

        public int Count { get; init; }
    }

    private sealed record IdentityDocument
    {
        [PersonalData]
        public required string Number { get; init; }
    }
}
