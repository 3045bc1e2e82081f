using System.Text.Json.Nodes;
using QazBus.Contracts;

namespace QazBus.Schemas.Catalog;

/// <summary>
/// Hides the values of a contract version's personal-data fields in a message body, for tools that show messages to
/// people (<c>qazbus probe</c>): every field the record marks <see cref="PersonalDataAttribute"/>, found as the
/// catalog finds them (<see cref="ContractCatalog.Fields(ContractDescriptor)"/>, read from the published schema).
/// </summary>
/// <remarks>
/// A marked field's whole value is replaced by <see cref="Masked"/>, whatever its type: an address object shows no
/// part of the address, an array no item. A null stays null (it holds no data). Fields the contract does not declare
/// are shown as they are: the mask hides what the contract says is personal, and nothing guesses at the rest.
/// </remarks>
public sealed class PersonalDataMask
{
    /// <summary>What a personal-data value is replaced with.</summary>
    public const string Masked = "***";

    private readonly HashSet<string> _marked;
    private readonly HashSet<string> _known;

    /// <summary>A mask for the fields listed, as <see cref="ContractCatalog.Fields(ContractDescriptor)"/> names them.</summary>
    /// <param name="fields">The fields of one contract version: <c>newAddress.street</c>, <c>children[].iin</c>, <c>names{}.value</c>.</param>
    public PersonalDataMask(IEnumerable<CatalogField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var all = fields.ToList();
        _known = all.Select(field => field.Name).ToHashSet(StringComparer.Ordinal);

        // A field marked itself; a field inside a marked one disappears with its parent's value.
        _marked = all.Where(field => field.PersonalData && field.PersonalDataOf is null).Select(field => field.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The mask of <paramref name="contract"/>'s personal-data fields.</summary>
    public static PersonalDataMask For(ContractDescriptor contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return new PersonalDataMask(ContractCatalog.Fields(contract));
    }

    /// <summary>The fields whose values are masked, in catalog notation, sorted: <c>iin</c>, <c>newAddress</c>.</summary>
    public IReadOnlyList<string> Fields => [.. _marked.Where(name => !_marked.Any(other => IsInside(name, other))).Order(StringComparer.Ordinal)];

    /// <summary>A copy of <paramref name="body"/> with every personal-data value replaced by <see cref="Masked"/>.</summary>
    /// <param name="body">A message body, parsed.</param>
    /// <returns>The masked copy; <paramref name="body"/> is not changed.</returns>
    public JsonNode? Apply(JsonNode? body) => Apply(body, string.Empty);

    private JsonNode? Apply(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                var masked = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    var field = path.Length == 0 ? name : $"{path}.{name}";
                    if (_marked.Contains(field))
                    {
                        masked[name] = value is null ? null : Masked;
                        continue;
                    }

                    // A dictionary's keys are data, not fields: its values' fields are named "names{}.value".
                    var dictionaryValue = path + "{}";
                    masked[name] = Apply(value, path.Length > 0 && !IsKnown(field) && IsKnown(dictionaryValue) ? dictionaryValue : field);
                }

                return masked;
            case JsonArray array:
                // The items' fields are named "children[].iin"; a marked array is masked whole by its own name.
                return new JsonArray([.. array.Select(item => Apply(item, path + "[]"))]);
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>True when <paramref name="field"/> or a field below it is declared.</summary>
    private bool IsKnown(string field) => _known.Contains(field) || _known.Any(name => IsInside(name, field));

    private static bool IsInside(string name, string parent) =>
        name.StartsWith(parent + ".", StringComparison.Ordinal)
        || name.StartsWith(parent + "[].", StringComparison.Ordinal)
        || name.StartsWith(parent + "{}.", StringComparison.Ordinal);
}
