using TaxOffice;

var builder = Host.CreateApplicationBuilder(args);
builder.AddTaxOffice();
await builder.Build().RunAsync();
