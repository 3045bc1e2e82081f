namespace QazBus.Schemas.Catalog;

/// <summary>One field of a contract version as the catalog lists it, read from the version's published schema.</summary>
/// <param name="Name">The field's wire name, dotted for nested objects: <c>newAddress.street</c>; <c>[]</c> marks array items, <c>{}</c> dictionary values.</param>
/// <param name="Type">The JSON type as people read it: <c>string (date)</c>, <c>integer</c>, <c>array of string</c>, with <c>or null</c> when null is allowed.</param>
/// <param name="Rules">The value's rules in words: pattern, length, range, allowed values; empty when there are none.</param>
/// <param name="Required">True when the field must be present in its parent object.</param>
/// <param name="PersonalData">True when the field, or the object it is part of, is marked as personal data.</param>
/// <param name="PersonalDataOf">When the mark is inherited, the marked ancestor (<c>newAddress</c>); null when the field is marked itself or not at all.</param>
/// <param name="Description">The field's description, if any.</param>
public sealed record CatalogField(
    string Name,
    string Type,
    string Rules,
    bool Required,
    bool PersonalData,
    string? PersonalDataOf,
    string? Description);
