using System.Text.Json;

namespace QazBus.Benchmarks;

/// <summary>The JSON setup of the raw client scenario: camelCase, like QazBus's wire format.</summary>
internal static class BenchJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
