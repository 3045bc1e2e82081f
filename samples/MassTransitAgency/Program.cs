using MassTransit;
using QazBus.Contracts.Population;
using MassTransitAgency;
using QazBus.MassTransit;

var builder = Host.CreateApplicationBuilder(args);

#region snippet_masstransit
builder.AddQazBus(); // the QazBus section: system id, broker, signing, retries
builder.Services.AddMassTransit(x =>
{
    x.AddConsumer<CitizenRegisteredConsumer>();
    x.UsingRabbitMq((context, cfg) =>
    {
        cfg.UseQazBus(context); // the one call: QazBus wire, exchanges and checks
        cfg.QazBusEndpoint(context, "citizens", e => e.ConfigureConsumer<CitizenRegisteredConsumer>(context));
    });
});
#endregion

builder.Build().Run();
