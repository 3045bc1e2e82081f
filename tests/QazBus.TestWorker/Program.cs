using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QazBus.Contracts.Population;
using QazBus.Handling;
using QazBus.Storage.Inbox;

// Usage: QazBus.TestWorker <system> <amqp-uri> <postgres-connection-string> <schema> [Key=Value ...]
// Consumes AddressChanged at endpoint "address-changes"; each message's effect is one row in {schema}.effects,
// written in the inbox's transaction. Fault tests kill this process by PID mid-stream and start it again.
// Extra Key=Value arguments override configuration (QazBus:ConcurrencyLimit=1, ...). Worker:Mode=poison makes the
// handler end the process with Environment.FailFast for a message whose IIN is PoisonIin, as a native crash would.
if (args.Length < 4)
{
    await Console.Error.WriteLineAsync("usage: QazBus.TestWorker <system> <amqp-uri> <postgres-connection-string> <schema> [Key=Value ...]");
    return 2;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["QazBus:System"] = args[0],
    ["QazBus:Transport"] = "RabbitMq",
    ["QazBus:RabbitMq:Uri"] = args[1],
    ["QazBus:Storage:Provider"] = "Postgres",
    ["QazBus:Storage:ConnectionString"] = args[2],
    ["QazBus:Storage:Schema"] = args[3],
    ["QazBus:KillSwitch:Enabled"] = "false",
    // The tests are about recovery, not throughput: fewer concurrent inbox transactions on a loaded CI machine.
    ["QazBus:ConcurrencyLimit"] = "8",
});
builder.Configuration.AddCommandLine(args[4..]);
builder.Logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Information);
builder.Services.AddSingleton(new EffectTable(args[3], builder.Configuration["Worker:Mode"] == "poison"));
builder.AddQazBus()
    .AddHandler<AddressChanged, RecordEffect>("address-changes")
    .AddStorage();
await builder.Build().RunAsync();
return 0;

internal sealed record EffectTable(string Schema, bool Poison)
{
    public const string PoisonIin = "999999999999";
}

internal sealed class RecordEffect(IInboxTransaction inbox, EffectTable table) : IContractHandler<AddressChanged>
{
    public async Task HandleAsync(AddressChanged message, MessageContext context, CancellationToken cancellationToken)
    {
        if (table.Poison && message.Iin == EffectTable.PoisonIin)
        {
            Environment.FailFast($"poison message {context.MessageId} (delivery {context.Attempt}): the test worker crashes on purpose");
        }

        await using var command = inbox.Connection.CreateCommand();
        command.Transaction = inbox.Transaction;
        command.CommandText = $"insert into \"{table.Schema}\".effects (message_id, iin) values (@id, @iin)";
        var id = command.CreateParameter();
        id.ParameterName = "id";
        id.Value = context.MessageId;
        command.Parameters.Add(id);
        var iin = command.CreateParameter();
        iin.ParameterName = "iin";
        iin.Value = message.Iin;
        command.Parameters.Add(iin);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
