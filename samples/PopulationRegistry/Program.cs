using PopulationRegistry;

var builder = Host.CreateApplicationBuilder(args);
builder.AddPopulationRegistry();
await builder.Build().RunAsync();
