using System.Globalization;

namespace QazBus.Contracts;

/// <summary>
/// Marks a contract version as deprecated, with a sunset date. Until then, publishing or consuming it logs a
/// warning (once per interval) and counts in the <c>qazbus.contract.deprecated_use</c> metric; from the sunset
/// date on, publishing it fails with an error that names the successor.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class ContractDeprecatedAttribute : Attribute
{
    /// <summary>Deprecates a contract version.</summary>
    /// <param name="sunset">The last day it may be published, as <c>yyyy-MM-dd</c> (UTC).</param>
    public ContractDeprecatedAttribute(string sunset)
    {
        Sunset = DateOnly.ParseExact(sunset, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>The last day the version may be published (UTC). Publishing fails from the next day on.</summary>
    public DateOnly Sunset { get; }

    /// <summary>What to use instead, for example <c>"publish v2"</c>.</summary>
    public string? Replacement { get; init; }
}
