using QazBus.Contracts.Population;
using QazBus.Queries;

namespace TaxOffice.Population;

/// <summary>
/// Asks the population registry (agency <c>mju</c>) for a citizen card by IIN: the query
/// <c>mju.population.citizen-by-iin</c>, for which the registry approves the tax office as a requester.
/// </summary>
public sealed class CitizenCards(IQueryClient queries)
{
    /// <summary>How long the tax office waits for the registry's answer; also the request's deadline.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The registry's card of <paramref name="iin"/>, or null when the registry has no such citizen (<c>no-data</c>).</summary>
    /// <exception cref="QueryRejectedException">The registry refused or failed to answer.</exception>
    /// <exception cref="QueryTimeoutException">No answer within <see cref="Timeout"/>.</exception>
    public async Task<CitizenCard?> FindAsync(string iin, CancellationToken cancellationToken)
    {
        #region snippet_query_request
        try
        {
            // Returns the registry's answer, or throws its rejection typed (NoDataException, AccessDeniedException,
            // InvalidRequestException, QueryFailureException) or QueryTimeoutException.
            return await queries.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = iin }, Timeout, cancellationToken: cancellationToken);
        }
        catch (NoDataException)
        {
            return null; // the registry has no such citizen
        }
        #endregion
    }
}
