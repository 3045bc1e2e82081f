using TaxOffice;

var builder = Host.CreateApplicationBuilder(args);
builder.AddQazBusServiceDefaults(); // what every QazBus worker shares: OpenTelemetry, health endpoints
builder.AddTaxOffice();
await builder.Build().RunAsync();
