using MassTransit;
using QazBus.Contracts.Population;

namespace MassTransitAgency;

/// <summary>An ordinary MassTransit consumer of a QazBus contract; v1 messages arrive upcast to v2.</summary>
public sealed partial class CitizenRegisteredConsumer(ILogger<CitizenRegisteredConsumer> logger) : IConsumer<CitizenRegisteredV2>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<CitizenRegisteredV2> context)
    {
        LogRegistered(logger, context.Message.LastName);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Citizen registered: {LastName}")]
    private static partial void LogRegistered(ILogger logger, string lastName);
}
