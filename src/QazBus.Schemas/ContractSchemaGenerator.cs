using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using QazBus.Contracts;
using QazBus.Wire;

namespace QazBus.Schemas;

/// <summary>
/// Generates the published JSON Schema (draft 2020-12) of a contract version from its record: the document a
/// Java, Python or 1C team reads to publish or consume the contract without any QazBus code.
/// </summary>
/// <remarks>
/// <para>
/// The schema is exported by System.Text.Json's <see cref="JsonSchemaExporter"/> from <see cref="BusJson.Options"/>,
/// so it describes exactly what the bus writes on the wire, and is then completed from the record's attributes:
/// <c>description</c> from <see cref="DescriptionAttribute"/> on types and properties, <c>pattern</c> from
/// <see cref="RegularExpressionAttribute"/>, <c>minLength</c>/<c>maxLength</c> from
/// <see cref="StringLengthAttribute"/>, <see cref="MinLengthAttribute"/> and <see cref="MaxLengthAttribute"/>
/// (<c>minItems</c>/<c>maxItems</c> on arrays), <c>minimum</c>/<c>maximum</c> from <see cref="RangeAttribute"/>.
/// Members declared with C#'s <c>required</c> keyword are <c>required</c>; nullable members allow <c>null</c>.
/// A version marked <c>[ContractDraft]</c> carries <c>"x-qazbus-draft": true</c> (<see cref="SchemaKeywords.ContractDraft"/>), so the
/// committed schema says whether it was published. A version marked <c>[ContractDeprecated]</c> carries <c>"deprecated": true</c> and its sunset date. A property
/// marked <see cref="PersonalDataAttribute"/> carries <c>"x-qazbus-personal-data": true</c>
/// (<see cref="SchemaKeywords.PersonalData"/>), at any depth.
/// </para>
/// <para>
/// <c>additionalProperties</c> is left open on purpose: consumers ignore unknown fields, so a new optional field
/// within a major version stays compatible. Numbers are published as JSON numbers: <see cref="BusJson.Options"/>
/// also tolerates numbers in strings on read, but nobody should write them so.
/// </para>
/// </remarks>
public static class ContractSchemaGenerator
{
    private static readonly JsonSchemaExporterOptions ExporterOptions = new()
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = Annotate,
    };

    /// <summary>Generates the schema of a contract version.</summary>
    /// <exception cref="InvalidOperationException">The record cannot be described as a JSON object.</exception>
    public static JsonObject Generate(ContractDescriptor contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        if (BusJson.Options.GetJsonSchemaAsNode(contract.ClrType, ExporterOptions) is not JsonObject schema)
        {
            throw new InvalidOperationException(
                $"Contract '{contract.Name}' v{contract.MajorVersion} ({contract.ClrType.FullName}) does not serialize as a JSON object.");
        }

        schema["$schema"] = SchemaKeywords.Draft202012;
        schema["$id"] = contract.DataSchema;
        schema["title"] = $"{contract.Name} v{contract.MajorVersion}";
        schema[SchemaKeywords.Contract] = contract.Name;
        schema[SchemaKeywords.Version] = contract.MajorVersion;
        schema[SchemaKeywords.Owner] = contract.Owner;
        if (contract.IsDraft)
        {
            schema[SchemaKeywords.ContractDraft] = true;
        }

        if (contract.Sunset is { } sunset)
        {
            schema["deprecated"] = true;
            schema[SchemaKeywords.Sunset] = sunset.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        return (JsonObject)SchemaJson.Canonicalize(schema);
    }

    /// <summary>Generates the schema of the contract record <paramref name="contractType"/>.</summary>
    public static JsonObject Generate(Type contractType) => Generate(ContractDescriptor.For(contractType));

    /// <summary>Generates the schema of a contract version as committed text (see <see cref="SchemaJson.Write"/>).</summary>
    public static string GenerateText(ContractDescriptor contract) => SchemaJson.Write(Generate(contract));

    private static JsonNode Annotate(JsonSchemaExporterContext context, JsonNode node)
    {
        var type = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
        var property = context.PropertyInfo?.AttributeProvider;
        if (node is not JsonObject schema)
        {
            // "true" is the exporter's schema for "any JSON value" (object, JsonElement); make it an object only
            // when there is something to say about it.
            if (property is null || (!HasAny<DescriptionAttribute>(property) && !HasAny<PersonalDataAttribute>(property)))
            {
                return node;
            }

            schema = new JsonObject();
        }

        if (IsNumber(type))
        {
            PublishAsNumber(schema);
        }

        if (type.IsEnum && schema["enum"] is JsonArray values && !schema.ContainsKey("type"))
        {
            schema["type"] = values.Any(value => value is null) ? new JsonArray("string", "null") : "string";
        }

        if (FormatOf(type) is { } format && Allows(schema, "string"))
        {
            schema["format"] = format;
        }

        if (!schema.ContainsKey("$ref") && type.GetCustomAttribute<DescriptionAttribute>() is { } typeDescription)
        {
            schema["description"] = typeDescription.Description;
        }

        if (property is not null)
        {
            ApplyPropertyAttributes(schema, property);
        }

        return schema;
    }

    private static void ApplyPropertyAttributes(JsonObject schema, ICustomAttributeProvider property)
    {
        foreach (var attribute in property.GetCustomAttributes(inherit: true))
        {
            switch (attribute)
            {
                case DescriptionAttribute description:
                    schema["description"] = description.Description;
                    break;
                case PersonalDataAttribute:
                    schema[SchemaKeywords.PersonalData] = true;
                    break;
                case RegularExpressionAttribute regex when Allows(schema, "string"):
                    schema["pattern"] = regex.Pattern;
                    break;
                case StringLengthAttribute length when Allows(schema, "string"):
                    schema["maxLength"] = length.MaximumLength;
                    if (length.MinimumLength > 0)
                    {
                        schema["minLength"] = length.MinimumLength;
                    }

                    break;
                case MinLengthAttribute min:
                    SetLength(schema, min.Length, "minLength", "minItems");
                    break;
                case MaxLengthAttribute max:
                    SetLength(schema, max.Length, "maxLength", "maxItems");
                    break;
                case RangeAttribute range when Allows(schema, "number") || Allows(schema, "integer"):
                    SetBound(schema, range.Minimum, range.MinimumIsExclusive ? "exclusiveMinimum" : "minimum");
                    SetBound(schema, range.Maximum, range.MaximumIsExclusive ? "exclusiveMaximum" : "maximum");
                    break;
            }
        }
    }

    private static void SetLength(JsonObject schema, int length, string stringKeyword, string arrayKeyword)
    {
        if (length < 0)
        {
            return;
        }

        if (Allows(schema, "string"))
        {
            schema[stringKeyword] = length;
        }
        else if (Allows(schema, "array"))
        {
            schema[arrayKeyword] = length;
        }
    }

    private static void SetBound(JsonObject schema, object bound, string keyword)
    {
        switch (bound)
        {
            case int value:
                schema[keyword] = value;
                break;
            case double value when double.IsFinite(value):
                schema[keyword] = value;
                break;
            case string text when decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value):
                schema[keyword] = value;
                break;
        }
    }

    /// <summary>Drops the "or a numeric string" the exporter adds because the bus tolerates numbers in strings on read.</summary>
    private static void PublishAsNumber(JsonObject schema)
    {
        if (schema["type"] is not JsonArray types || !types.Any(t => t?.GetValue<string>() == "string"))
        {
            return;
        }

        var kept = types.Select(t => t!.GetValue<string>()).Where(t => t != "string").ToArray();
        schema["type"] = kept.Length == 1 ? JsonValue.Create(kept[0]) : new JsonArray([.. kept.Select(t => (JsonNode?)t)]);
        schema.Remove("pattern");
    }

    /// <summary>True when the schema's <c>type</c> keyword includes <paramref name="type"/>.</summary>
    private static bool Allows(JsonObject schema, string type) => schema["type"] switch
    {
        JsonValue value => value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == type,
        JsonArray array => array.Any(t => t is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == type),
        _ => false,
    };

    private static bool HasAny<T>(ICustomAttributeProvider provider) where T : Attribute =>
        provider.GetCustomAttributes(typeof(T), inherit: true).Length > 0;

    private static string? FormatOf(Type type) =>
        type == typeof(DateOnly) ? "date"
        : type == typeof(DateTimeOffset) || type == typeof(DateTime) ? "date-time"
        : type == typeof(TimeOnly) ? "time"
        : type == typeof(Guid) ? "uuid"
        : type == typeof(Uri) ? "uri"
        : null;

    private static bool IsNumber(Type type) =>
        type == typeof(byte) || type == typeof(sbyte) || type == typeof(short) || type == typeof(ushort)
        || type == typeof(int) || type == typeof(uint) || type == typeof(long) || type == typeof(ulong)
        || type == typeof(float) || type == typeof(double) || type == typeof(decimal)
        || type == typeof(Int128) || type == typeof(UInt128) || type == typeof(Half);
}
