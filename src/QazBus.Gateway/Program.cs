using QazBus.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddQazBusGateway();
var app = builder.Build();
app.MapQazBusGateway();
await app.RunAsync();
