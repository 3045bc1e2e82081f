using Microsoft.Extensions.DependencyInjection;

namespace QazBus.Pipeline.Steps;

/// <summary>
/// The extension slot around the handler: the consume filters registered with
/// <see cref="Runtime.QazBusBuilder.AddConsumeFilter{TFilter}"/> (the inbox), in registration order, resolved from the
/// attempt's scope. The list is known at start-up, so a system without filters pays nothing here.
/// </summary>
internal sealed class FilterStep(Type[] filterTypes) : IReceiveStep
{
    public async Task InvokeAsync(ReceiveContext context, ReceiveNext next)
    {
        // A query is a question: its answer is the effect, and a request answered twice is answered the same way.
        // The inbox would drop the second delivery of a request whose first answer was lost in a crash, and leave
        // the requester without one.
        if (filterTypes.Length == 0 || context.Endpoint.AnswersQueries)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var services = context.Services!;
        var consume = new ConsumeContext
        {
            Message = context.MessageContext!,
            Contract = context.Contract!,
            Services = services,
            CancellationToken = context.CancellationToken,
        };
        ConsumeStep chain = _ => next(context);
        for (var i = filterTypes.Length - 1; i >= 0; i--)
        {
            var filter = (IConsumeFilter)services.GetRequiredService(filterTypes[i]);
            var rest = chain;
            chain = c => filter.InvokeAsync(c, rest);
        }

        await chain(consume).ConfigureAwait(false);
        context.Duplicate = consume.IsDuplicate;
    }
}

/// <summary>A consume filter type registered for every endpoint's pipeline.</summary>
internal sealed record ConsumeFilterRegistration(Type FilterType);
