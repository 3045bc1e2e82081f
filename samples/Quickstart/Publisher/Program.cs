using QazBus.Contracts.Population;
using QazBus.Publishing;

var builder = Host.CreateApplicationBuilder(args);
builder.AddQazBus(); // the "QazBus" section of appsettings.json: System, Transport, RabbitMq:Uri
builder.Services.AddHostedService<AddressChangePublisher>();
await builder.Build().RunAsync();

#region snippet_publish
/// <summary>Announces a made-up address change every few seconds.</summary>
internal sealed partial class AddressChangePublisher(IContractPublisher publisher, ILogger<AddressChangePublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(3));
        do
        {
            var change = new AddressChanged
            {
                Iin = "900101300123",
                NewAddress = new Address { Region = "Astana", Locality = "Astana", Street = "Mangilik El 8" },
                ValidFrom = DateOnly.FromDateTime(DateTime.UtcNow),
            };

            // Returns once the broker has confirmed the message: from then on it reaches every subscriber.
            var messageId = await publisher.PublishAsync(change, cancellationToken: stoppingToken);
            LogPublished(logger, messageId);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    // The message id, never the IIN: an IIN is personal data and stays out of logs.
    [LoggerMessage(Level = LogLevel.Information, Message = "Published AddressChanged {MessageId}")]
    private static partial void LogPublished(ILogger logger, string messageId);
}
#endregion
