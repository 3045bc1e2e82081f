namespace QazBus.Schemas.Compatibility;

/// <summary>One difference between a contract's committed schema and the schema generated from its code.</summary>
/// <param name="Contract">The contract name, for example <c>mju.population.citizen-registered</c>.</param>
/// <param name="Version">The major version.</param>
/// <param name="Path">Where in the schema, as a JSON Pointer, for example <c>/properties/newAddress/properties/street</c>; <c>/</c> for the schema as a whole.</param>
/// <param name="Field">The field in the message, dotted: <c>newAddress.street</c>; <c>[]</c> marks array items. Empty for the whole message.</param>
/// <param name="Rule">The rule that matched.</param>
/// <param name="Message">What changed, in plain words, starting with the field: <c>field 'birthDate' changed type from string(date) to string(date-time)</c>.</param>
/// <param name="IsBreaking">True when the change needs a new major version.</param>
public sealed record CompatibilityFinding(
    string Contract,
    int Version,
    string Path,
    string Field,
    CompatibilityRule Rule,
    string Message,
    bool IsBreaking);
