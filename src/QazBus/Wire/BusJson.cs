using System.Text.Json;
using System.Text.Json.Serialization;

namespace QazBus.Wire;

/// <summary>The one JSON setup of the bus: what every body is written and read with.</summary>
/// <remarks>
/// camelCase names, enums as camelCase strings, <c>required</c> members and nullable annotations enforced
/// on read, so a message missing a required field fails at the edge with the field named instead of reaching
/// a handler with a null. Unknown members are ignored so that additive changes within a major version do
/// not break older consumers.
/// </remarks>
public static class BusJson
{
    /// <summary>The serializer options for contract bodies. Frozen: do not modify.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
