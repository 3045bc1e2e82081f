using System.Globalization;
using QazBus.Naming;
using QazBus.Pipeline;
using QazBus.Transport;

namespace QazBus.Wire;

/// <summary>The CloudEvents attributes of a received message, checked. Reading fails with a <see cref="MessageRejectedException"/> that names the header.</summary>
internal sealed record IncomingEnvelope(
    string Id,
    string Source,
    string Type,
    int Version,
    DateTimeOffset Time,
    string? CorrelationId)
{
    /// <summary>The start of every <c>dataschema</c>: <c>urn:qazbus:contract:{name}:v{major}</c>.</summary>
    internal const string DataSchemaPrefix = "urn:qazbus:contract:";

    /// <summary>Reads a <c>dataschema</c> on its own (an answer's <c>qazbus-query</c> header names its request's).</summary>
    internal static bool TryParseDataSchema(string? dataSchema, out string name, out int version)
    {
        name = string.Empty;
        version = 0;
        if (dataSchema is null || !dataSchema.StartsWith(DataSchemaPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var colon = dataSchema.LastIndexOf(":v", StringComparison.Ordinal);
        if (colon <= DataSchemaPrefix.Length
            || !int.TryParse(dataSchema.AsSpan(colon + 2), NumberStyles.None, CultureInfo.InvariantCulture, out version)
            || version < 1)
        {
            return false;
        }

        name = dataSchema[DataSchemaPrefix.Length..colon];
        return BusNames.IsValidContractName(name);
    }

    public static IncomingEnvelope Read(TransportMessage message)
    {
        var specVersion = Required(message, "specversion");
        if (specVersion != WireHeaders.SpecVersionValue)
        {
            throw new MessageRejectedException(RejectReason.InvalidHeader,
                $"Header '{WireHeaders.SpecVersion}' is '{specVersion}'; QazBus accepts CloudEvents '{WireHeaders.SpecVersionValue}'.");
        }

        var id = Required(message, "id");
        var source = Required(message, "source");
        if (!BusNames.IsValidSystemId(source))
        {
            throw new MessageRejectedException(RejectReason.InvalidHeader,
                $"Header '{WireHeaders.Source}' is '{source}'; it must be the sending system id '{{agency}}.{{system}}'.");
        }

        var type = Required(message, "type");
        var dataSchema = Required(message, "dataschema");
        var version = ParseVersion(type, dataSchema);

        var timeText = Required(message, "time");
        if (!DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time))
        {
            throw new MessageRejectedException(RejectReason.InvalidHeader,
                $"Header '{WireHeaders.Time}' is '{timeText}'; it must be an RFC 3339 timestamp such as 2026-11-29T10:00:00Z.");
        }

        if (message.ContentType is { Length: > 0 } contentType && !IsJson(contentType))
        {
            throw new MessageRejectedException(RejectReason.InvalidHeader,
                $"Content type is '{contentType}'; QazBus bodies are '{WireHeaders.JsonContentType}'.");
        }

        return new IncomingEnvelope(id, source, type, version, time, message.CorrelationId);
    }

    private static string Required(TransportMessage message, string attribute)
    {
        var name = WireHeaders.CloudEventsPrefix + attribute;
        message.TryGetHeaderValue(name, out var raw, out var found);
        var value = HeaderText.Read(found, raw);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new MessageRejectedException(RejectReason.MissingHeader,
                $"Required header '{name}' is missing or empty.");
        }

        return value;
    }

    private static int ParseVersion(string type, string dataSchema)
    {
        // urn:qazbus:contract:{name}:v{major}: the name must agree with 'type', or the message is contradictory.
        var expectedPrefix = DataSchemaPrefix + type + ":v";
        if (!dataSchema.StartsWith(expectedPrefix, StringComparison.Ordinal)
            || !int.TryParse(dataSchema.AsSpan(expectedPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            || version < 1)
        {
            throw new MessageRejectedException(RejectReason.InvalidHeader,
                $"Header '{WireHeaders.DataSchema}' is '{dataSchema}'; for type '{type}' it must be '{expectedPrefix}{{major}}', for example '{expectedPrefix}1'.");
        }

        return version;
    }

    private static bool IsJson(string contentType)
    {
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals(WireHeaders.JsonContentType, StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }
}
