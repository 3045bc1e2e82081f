using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using QazBus.Contracts;
using QazBus.Gateway.Configuration;
using QazBus.Gateway.Problems;
using QazBus.Validation;
using QazBus.Wire;

namespace QazBus.Gateway.Contracts;

/// <summary>
/// Reads a request body into a contract record: bounded in size, checked to be JSON, then read with the bus's one JSON
/// setup (<see cref="BusJson"/>) and checked against the contract's rules (<see cref="ContractValidator"/>) — the same
/// checks an SDK publisher's message passes. Each failure is a problem that names the field and rule, never a value.
/// </summary>
internal sealed partial class BodyReader(IOptions<GatewayOptions> options)
{
    /// <summary>The raw body and the contract record, or the problem to answer.</summary>
    public async Task<(byte[]? Body, object? Contract, IResult? Problem)> ReadAsync(HttpRequest request, ContractDescriptor contract, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxBodyBytes;
        if (request.ContentLength > max)
        {
            return (null, null, TooLarge(max));
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Min(max, 16 * 1024));
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > max)
            {
                return (null, null, TooLarge(max));
            }
        }

        var body = buffer.WrittenSpan.ToArray();
        if (!IsJson(body))
        {
            return (body, null, GatewayProblems.Result(StatusCodes.Status400BadRequest, GatewayProblems.BadJson, "Body is not JSON",
                $"The body must be one JSON object of contract '{contract.Name}' v{contract.MajorVersion} in UTF-8."));
        }

        object? value;
        try
        {
            value = JsonSerializer.Deserialize(body, contract.ClrType, BusJson.Options);
        }
        catch (JsonException exception)
        {
            return (body, null, Violation(contract, Explain(exception)));
        }

        if (value is null)
        {
            return (body, null, Violation(contract, [new ContractViolation("$", "must be an object")]));
        }

        var violations = ContractValidator.Validate(value);
        return violations.Count > 0 ? (body, null, Violation(contract, violations)) : (body, value, null);
    }

    /// <summary>A problem listing each field at fault and its rule.</summary>
    public static IResult Violation(ContractDescriptor contract, IReadOnlyList<ContractViolation> violations) =>
        GatewayProblems.Result(StatusCodes.Status422UnprocessableEntity, GatewayProblems.SchemaViolation, "Schema violation",
            $"The body breaks the schema of contract '{contract.Name}' v{contract.MajorVersion}: {string.Join("; ", violations)}.",
            new Dictionary<string, object?> { ["errors"] = violations.Select(v => new { field = v.Field, rule = v.Rule }).ToArray() });

    private static IResult TooLarge(int max) =>
        GatewayProblems.Result(StatusCodes.Status413PayloadTooLarge, GatewayProblems.TooLarge, "Body too large",
            $"The body is larger than {max} bytes (QazBus:Gateway:MaxBodyBytes).");

    private static bool IsJson(byte[] body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
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

    /// <summary>
    /// The field and rule of a deserialization failure, in the schema's words. System.Text.Json's own message is not
    /// passed on: some of its messages quote the value.
    /// </summary>
    private static List<ContractViolation> Explain(JsonException exception)
    {
        if (MissingRequired().Match(exception.Message) is { Success: true } missing)
        {
            return missing.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(name => new ContractViolation(Field(exception.Path, name.Trim('\'')), "is required"))
                .ToList();
        }

        var path = string.IsNullOrEmpty(exception.Path) ? "$" : exception.Path;
        return [new ContractViolation(path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path, "has the wrong type, or is null where a value is required")];
    }

    private static string Field(string? parent, string name) =>
        string.IsNullOrEmpty(parent) || parent == "$" ? name : $"{parent.TrimStart('$', '.')}.{name}";

    [GeneratedRegex("missing required properties including: (?<names>.+?)\\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequired();
}
