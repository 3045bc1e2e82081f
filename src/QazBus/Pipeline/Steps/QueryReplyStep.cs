using QazBus.Observation;
using QazBus.Queries;

namespace QazBus.Pipeline.Steps;

/// <summary>
/// At a query endpoint, a request the recoverability step dead-lettered (bad input, a forged sender, a handler that
/// kept failing) is answered with a rejection: the requester learns why at once instead of waiting for its timeout.
/// </summary>
internal sealed class QueryReplyStep(QueryAnswers answers) : IReceiveStep
{
    public async Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        await next(context).ConfigureAwait(false);
        if (context.Endpoint.AnswersQueries && context.Outcome == MessageOutcome.DeadLettered)
        {
            await answers.RejectDeadLetteredAsync(context).ConfigureAwait(false);
        }
    }
}
