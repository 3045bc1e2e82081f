using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using QazBus.Contracts;
using QazBus.Contracts.Population;

namespace QazBus.Schemas.Tests.Generation;

public sealed class GeneratedSchemaTests
{
    private static readonly JsonObject CitizenRegistered = ContractSchemaGenerator.Generate(typeof(CitizenRegistered));

    private static JsonNode Property(JsonObject schema, params string[] path)
    {
        JsonNode node = schema;
        foreach (var name in path)
        {
            node = node["properties"]![name]!;
        }

        return node;
    }

    private static string[] Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray array => [.. array.Select(t => t!.GetValue<string>())],
        { } single => [single.GetValue<string>()],
        null => [],
    };

    [Fact]
    public void Identifies_the_contract_version_with_the_draft_id_title_and_QazBus_keywords()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)CitizenRegistered["$schema"]);
        Assert.Equal("urn:qazbus:contract:mju.population.citizen-registered:v1", (string?)CitizenRegistered["$id"]);
        Assert.Equal("mju.population.citizen-registered v1", (string?)CitizenRegistered["title"]);
        Assert.Equal("mju.population.citizen-registered", (string?)CitizenRegistered["x-qazbus-contract"]);
        Assert.Equal(1, (int?)CitizenRegistered["x-qazbus-version"]);
        Assert.Equal("mju", (string?)CitizenRegistered["x-qazbus-owner"]);
        Assert.Equal("object", (string?)CitizenRegistered["type"]);
    }

    [Fact]
    public void Marks_the_members_declared_required_as_required()
    {
        var required = CitizenRegistered["required"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(["iin", "fullName", "birthDate", "registeredAt"], required);
    }

    [Fact]
    public void Publishes_the_IIN_as_twelve_digits()
    {
        Assert.Equal(@"^\d{12}$", (string?)Property(CitizenRegistered, "iin")["pattern"]);
        Assert.Equal(["string"], Types(Property(CitizenRegistered, "iin")));
    }

    [Fact]
    public void Publishes_dates_and_instants_with_their_formats()
    {
        Assert.Equal("date", (string?)Property(CitizenRegistered, "birthDate")["format"]);
        Assert.Equal("date-time", (string?)Property(CitizenRegistered, "registeredAt")["format"]);
    }

    [Fact]
    public void Carries_the_descriptions_of_the_record_and_its_fields()
    {
        Assert.Equal("The population registry of the Ministry of Justice registered a citizen.", (string?)CitizenRegistered["description"]);
        Assert.Equal("Individual identification number (IIN), 12 digits.", (string?)Property(CitizenRegistered, "iin")["description"]);
        Assert.Equal("Date of birth.", (string?)Property(CitizenRegistered, "birthDate")["description"]);
        Assert.Equal("Full name as registered.", (string?)Property(CitizenRegistered, "fullName")["description"]);
    }

    [Fact]
    public void Publishes_string_lengths()
    {
        var fullName = Property(CitizenRegistered, "fullName");
        Assert.Equal(1, (int?)fullName["minLength"]);
        Assert.Equal(300, (int?)fullName["maxLength"]);
    }

    [Fact]
    public void Leaves_additional_properties_open_so_optional_fields_can_be_added()
    {
        Assert.False(CitizenRegistered.ContainsKey("additionalProperties"));
    }

    [Fact]
    public void Describes_nested_records_with_their_own_required_fields_and_nullable_optional_fields()
    {
        var schema = ContractSchemaGenerator.Generate(typeof(AddressChanged));
        var address = Property(schema, "newAddress");
        Assert.Equal("object", (string?)address["type"]);
        Assert.Equal("The new registered address.", (string?)address["description"]);
        Assert.Equal(["region", "locality", "street"], address["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["string", "null"], Types(Property(schema, "newAddress", "postalCode")));
        Assert.Equal(@"^\d{6}$", (string?)Property(schema, "newAddress", "postalCode")["pattern"]);
        Assert.Equal(200, (int?)Property(schema, "newAddress", "street")["maxLength"]);
    }

    [Fact]
    public void Publishes_enums_as_strings_and_numbers_as_numbers()
    {
        var schema = ContractSchemaGenerator.Generate(typeof(EveryKind));

        Assert.Equal(["string"], Types(Property(schema, "kind")));
        Assert.Equal(["passport", "idCard"], Property(schema, "kind")["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["string", "null"], Types(Property(schema, "previousKind")));
        Assert.Contains(null, Property(schema, "previousKind")["enum"]!.AsArray());
        Assert.Equal("Kinds of identity documents.", (string?)Property(schema, "kind")["description"]);

        Assert.Equal(["integer"], Types(Property(schema, "count")));
        Assert.Null(Property(schema, "count")["pattern"]);
        Assert.Equal(1, (int?)Property(schema, "count")["minimum"]);
        Assert.Equal(10, (int?)Property(schema, "count")["maximum"]);
        Assert.Equal(["number"], Types(Property(schema, "amount")));
        Assert.Equal(["integer", "null"], Types(Property(schema, "total")));
    }

    [Fact]
    public void Publishes_identifiers_instants_and_lists()
    {
        var schema = ContractSchemaGenerator.Generate(typeof(EveryKind));

        Assert.Equal("uuid", (string?)Property(schema, "caseId")["format"]);
        Assert.Equal("date-time", (string?)Property(schema, "decidedAt")["format"]);
        Assert.Equal(["array"], Types(Property(schema, "tags")));
        Assert.Equal(["string"], Types(Property(schema, "tags")["items"]!));
        Assert.Equal(5, (int?)Property(schema, "tags")["maxItems"]);
    }

    [Fact]
    public void Writes_the_same_text_every_time_with_LF_line_ends_and_a_trailing_newline()
    {
        var contract = ContractDescriptor.For(typeof(AddressChanged));
        var first = ContractSchemaGenerator.GenerateText(contract);
        var second = ContractSchemaGenerator.GenerateText(contract);

        Assert.Equal(first, second);
        Assert.DoesNotContain('\r', first);
        Assert.EndsWith("}\n", first, StringComparison.Ordinal);
        Assert.StartsWith("{\n  \"$schema\": ", first, StringComparison.Ordinal);
        Assert.Contains("\"pattern\": \"^\\\\d{12}$\"", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Marks_a_deprecated_version_with_its_sunset_date()
    {
        var schema = ContractSchemaGenerator.Generate(typeof(Retiring));

        Assert.Equal(true, (bool?)schema["deprecated"]);
        Assert.Equal("2030-01-31", (string?)schema["x-qazbus-sunset"]);
        Assert.False(ContractSchemaGenerator.Generate(typeof(EveryKind)).ContainsKey("deprecated"));
    }

    [Contract("test.generation.retiring", 1)]
    [ContractDeprecated("2030-01-31", Replacement = "v2")]
    public sealed record Retiring
    {
        public required string Iin { get; init; }
    }

    [Description("Kinds of identity documents.")]
    public enum DocumentKind
    {
        Passport,
        IdCard,
    }

    [Contract("test.generation.every-kind", 1)]
    public sealed record EveryKind
    {
        public required DocumentKind Kind { get; init; }

        public DocumentKind? PreviousKind { get; init; }

        [Range(1, 10)]
        public required int Count { get; init; }

        public decimal Amount { get; init; }

        public long? Total { get; init; }

        public Guid CaseId { get; init; }

        public DateTime DecidedAt { get; init; }

        [MaxLength(5)]
        public IReadOnlyList<string> Tags { get; init; } = [];
    }
}
