namespace QazBus.Contracts;

/// <summary>
/// Marks a contract field that holds personal data (an IIN, a name, a birth date, an address). The published schema
/// carries <c>"x-qazbus-personal-data": true</c> for it and the catalog flags it; QazBus never writes such values to
/// logs, traces or error headers (it never writes any body value there), and agencies' handlers must not either.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true, AllowMultiple = false)]
public sealed class PersonalDataAttribute : Attribute;
