using System.Globalization;

namespace QazBus.Demo;

/// <summary>The fixed story the demo tells: who takes part, and what the population registry does.</summary>
internal static class Scenario
{
    public const string RegistrySystem = "mju.population-registry";
    public const string TaxOfficeSystem = "kgd.tax-office";

    /// <summary>A walk-in applicant's IIN the population registry does not know: the tax office's query gets <c>no-data</c>.</summary>
    public const string UnknownIin = "990101300999";

    public const int Citizens = 3;
    public const int AddressChanges = 2;

    /// <summary>Every registration and every address change publishes one message.</summary>
    public const int ExpectedMessages = Citizens + AddressChanges;

    // Short enough for the whole story to take about a second, long enough for each message's journey to be
    // printed before the next one starts.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>The <c>PopulationRegistry</c> section that makes the registry's simulated office tell this story.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> RegistrySettings() =>
    [
        new("PopulationRegistry:Citizens", Citizens.ToString(CultureInfo.InvariantCulture)),
        new("PopulationRegistry:AddressChanges", AddressChanges.ToString(CultureInfo.InvariantCulture)),
        new("PopulationRegistry:Interval", Interval.ToString("c", CultureInfo.InvariantCulture)),
    ];
}
