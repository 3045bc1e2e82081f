using System.Net.Http.Json;

namespace TaxOffice.Taxpayers;

/// <summary>
/// The tax office's legacy "taxpayer card" system, called over HTTP when a citizen becomes a taxpayer. Registered
/// with <c>AddLegacySystemClient</c>, so the <see cref="HttpClient"/> it gets already retries, times out and opens a
/// circuit as configured in <c>QazBus:LegacySystems:taxpayer-cards</c>.
/// </summary>
/// <remarks>
/// Optional: the tax office registers it only when <c>QazBus:LegacySystems:taxpayer-cards:BaseAddress</c> is set,
/// so the sample and the demo run without the card system.
/// </remarks>
internal sealed class TaxpayerCardClient(HttpClient http)
{
    /// <summary>The legacy system's name: its configuration section is <c>QazBus:LegacySystems:taxpayer-cards</c>.</summary>
    public const string SystemName = "taxpayer-cards";

    /// <summary>Opens the taxpayer's card: <c>POST taxpayer-cards</c> with the IIN and names.</summary>
    /// <remarks>
    /// The card system upserts by IIN, so a retry of the pipeline or a redelivery of the message does no harm. The
    /// IIN travels in the body, not the path: HttpClient's logs write the request URI, and the sample logs an IIN
    /// masked only.
    /// </remarks>
    public async Task OpenCardAsync(string iin, string lastName, string firstName, string? patronymic, DateOnly birthDate, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(
            new Uri("taxpayer-cards", UriKind.Relative),
            new { iin, lastName, firstName, patronymic, birthDate },
            cancellationToken);

        // A 4xx left after the pipeline's retries is the card system refusing this taxpayer: throw, so the message
        // goes through the bus's retry policy and, failing that, to the error queue with the reason.
        response.EnsureSuccessStatusCode();
    }
}
