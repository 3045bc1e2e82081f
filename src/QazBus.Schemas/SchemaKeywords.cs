namespace QazBus.Schemas;

/// <summary>The JSON Schema keywords QazBus writes, including its own <c>x-qazbus-*</c> extension keywords.</summary>
/// <remarks>
/// Extension keywords start with <c>x-</c> so that standard validators ignore them (JSON Schema 2020-12 treats
/// unknown keywords as annotations).
/// </remarks>
public static class SchemaKeywords
{
    /// <summary>The dialect every published schema declares.</summary>
    public const string Draft202012 = "https://json-schema.org/draft/2020-12/schema";

    /// <summary>The contract name, for example <c>mju.population.citizen-registered</c>.</summary>
    public const string Contract = "x-qazbus-contract";

    /// <summary>The contract's major version.</summary>
    public const string Version = "x-qazbus-version";

    /// <summary>The owner agency: the only agency whose systems may publish the contract.</summary>
    public const string Owner = "x-qazbus-owner";

    /// <summary>
    /// <c>true</c> on a draft version (<c>[ContractDraft]</c>): under review, not yet published. Its schema may still
    /// change in ways that would break a published version; do not build on it outside development and tests.
    /// </summary>
    public const string ContractDraft = "x-qazbus-draft";

    /// <summary>For a deprecated version (<c>[ContractDeprecated]</c>), the last day it may be published, <c>yyyy-MM-dd</c>.</summary>
    /// <remarks>Set beside the standard annotation <c>"deprecated": true</c>.</remarks>
    public const string Sunset = "x-qazbus-sunset";

    /// <summary>
    /// <c>true</c> on a field that holds personal data (<c>[PersonalData]</c> on the record's property): an IIN, a
    /// name, a birth date, an address. Documentation for readers and the catalog; it does not change validation.
    /// </summary>
    public const string PersonalData = "x-qazbus-personal-data";
}
