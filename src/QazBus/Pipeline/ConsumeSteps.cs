using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Contracts;
using QazBus.Observation;
using QazBus.Pipeline.Recoverability;
using QazBus.Pipeline.Steps;
using QazBus.Retry;
using QazBus.Signing;

namespace QazBus.Pipeline;

/// <summary>
/// The one place where the order of the consume pipeline is written, outermost first. Each step has one concern;
/// steps that check the message throw <see cref="MessageRejectedException"/> and leave the decision to the
/// recoverability step, which immediately retries by running the steps after it again.
/// </summary>
internal static class ConsumeSteps
{
    public static ConsumePipeline Build(EndpointDefinition endpoint, IServiceProvider services, Func<Task> onKillSwitchTripped) =>
        Build(endpoint, services, onKillSwitchTripped, new HandlerStep());

    /// <summary>
    /// The same pipeline with another last step in place of the QazBus handler: the MassTransit integration hands the
    /// checked, upcast contract to MassTransit's consumers there, so every check and retry before it stays this one.
    /// </summary>
    public static ConsumePipeline Build(EndpointDefinition endpoint, IServiceProvider services, Func<Task> onKillSwitchTripped, IReceiveStep handler)
    {
        var options = services.GetRequiredService<IOptions<QazBusOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("QazBus.Consume");
        var policy = services.GetRequiredService<RecoverabilityPolicy>();
        IReceiveStep[] steps =
        [
            // Around everything: the consumer span, then the message log and outcome metrics, then the kill switch,
            // which counts outcomes; all three see the final outcome the recoverability step sets.
            new TraceStep(),
            new ObserveStep(services.GetServices<IMessageObserver>().ToArray(), options.System, time),
            new KillSwitchStep(new KillSwitch(options.KillSwitch), onKillSwitchTripped),

            // A query request that ends in the error queue is still answered, with a rejection naming why.
            new QueryReplyStep(services.GetRequiredService<Queries.QueryAnswers>()),
            new RecoverabilityStep(policy, ActivatorUtilities.CreateInstance<FailureActions>(services)),

            // The checks, cheapest and most fundamental first: a message that crashed its consumer every time is
            // not looked at again; nothing else about a forged message is worth looking at, so the signature comes
            // before contract, version and body.
            new DeliveryLimitStep(options),
            new SizeStep(options.MaxMessageBytes),
            new EnvelopeStep(),
            new SignatureStep(services.GetRequiredService<MessageSigner>()),
            new ContractStep(services.GetRequiredService<DeprecationPolicy>()),
            new BodyStep(),

            // One handler attempt: its scope, then the extension slot (registered consume filters, the inbox),
            // then the handler.
            new AttemptStep(services.GetRequiredService<IServiceScopeFactory>(), policy, logger),
            new FilterStep(services.GetServices<ConsumeFilterRegistration>().Select(r => r.FilterType).ToArray()),
            handler,
        ];
        return new ConsumePipeline(endpoint, steps);
    }
}
