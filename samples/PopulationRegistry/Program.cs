using PopulationRegistry;

var builder = Host.CreateApplicationBuilder(args);
builder.AddQazBusServiceDefaults(); // what every QazBus worker shares: OpenTelemetry, health endpoints
builder.AddPopulationRegistry();
await builder.Build().RunAsync();
