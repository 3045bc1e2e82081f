using System.Text.Json;
using QazBus.Contracts;
using QazBus.Pipeline;
using QazBus.Validation;

namespace QazBus.Wire;

/// <summary>
/// Reads a body as the contract version it claims to be and checks the contract's rules (the same the publisher
/// checked: a sender that skipped them, or a non-.NET one, is caught here). Fails with a
/// <see cref="MessageRejectedException"/> that tells malformed JSON from JSON of the wrong shape and names the field.
/// </summary>
internal static class ContractBody
{
    public static object Read(ReadOnlySpan<byte> body, ContractDescriptor contract)
    {
        object value;
        try
        {
            value = JsonSerializer.Deserialize(body, contract.ClrType, BusJson.Options)
                ?? throw new MessageRejectedException(RejectReason.DeserializationFailed,
                    $"Body is JSON null; contract '{contract.Name}' v{contract.MajorVersion} needs an object.");
        }
        catch (JsonException ex)
        {
            // Tell "not JSON at all" from "JSON of the wrong shape": only this failure path pays the second parse.
            if (!IsWellFormedJson(body))
            {
                throw new MessageRejectedException(RejectReason.MalformedJson, $"Body is not well-formed JSON: {ex.Message}", ex);
            }

            throw new MessageRejectedException(RejectReason.DeserializationFailed,
                $"Body does not match contract '{contract.Name}' v{contract.MajorVersion}: {ex.Message}", ex);
        }

        var violations = ContractValidator.Validate(value);
        if (violations.Count > 0)
        {
            throw new MessageRejectedException(RejectReason.SchemaViolation,
                $"Body breaks contract '{contract.Name}' v{contract.MajorVersion}: {string.Join("; ", violations)}");
        }

        return value;
    }

    private static bool IsWellFormedJson(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
            }

            return reader.BytesConsumed > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
