using QazBus.Contracts.Population;
using QazBus.Handling;

#region snippet_subscriber
var builder = Host.CreateApplicationBuilder(args);
builder.AddQazBus()                                             // the "QazBus" section of appsettings.json
       .AddHandler<AddressChanged, AddressChangedHandler>("address-changes");   // queue kgd.quickstart-subscriber.address-changes
await builder.Build().RunAsync();

/// <summary>Handles each address change the population registry's systems announce.</summary>
internal sealed partial class AddressChangedHandler(ILogger<AddressChangedHandler> logger) : IContractHandler<AddressChanged>
{
    public Task HandleAsync(AddressChanged message, MessageContext context, CancellationToken cancellationToken)
    {
        // Returning acknowledges the message; throwing retries it, then moves it to the endpoint's error queue.
        LogReceived(logger, context.MessageId, context.Source, message.ValidFrom);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Received AddressChanged {MessageId} from {Source}, valid from {ValidFrom:yyyy-MM-dd}")]
    private static partial void LogReceived(ILogger logger, string messageId, string source, DateOnly validFrom);
}
#endregion
