using Microsoft.Extensions.Logging;
using PopulationRegistry.Register;
using QazBus.Contracts.Population;
using QazBus.Queries;

namespace PopulationRegistry.Queries;

/// <summary>
/// Answers <c>mju.population.citizen-by-iin</c>: the citizen card from the <c>citizens</c> table, or <c>no-data</c>.
/// The bus has already checked the request (contract, schema, deadline) and the asker's right in the registry.
/// </summary>
#region snippet_query_answer
internal sealed partial class CitizenByIinHandler(PopulationRegister register, ILogger<CitizenByIinHandler> logger) : IQueryHandler<CitizenByIin, CitizenCard>
{
    public async Task<CitizenCard> HandleAsync(CitizenByIin request, QueryContext context, CancellationToken cancellationToken)
    {
        var card = await register.CardOfAsync(request.Iin, cancellationToken);
        LogAnswered(logger, context.Requester, context.RequestId, card is null ? "no-data" : "card");

        // The rejection's message travels to the asker and into logs: it never repeats the IIN.
        return card ?? throw new NoDataException("No citizen with this IIN is registered in the population registry.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Query from {Requester} (request {RequestId}) answered: {Answer}")]
    private static partial void LogAnswered(ILogger logger, string requester, string requestId, string answer);
}
#endregion
