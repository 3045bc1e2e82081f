using System.CommandLine.Help;
using System.Runtime.InteropServices;
using QazBus.Demo;

var parseResult = DemoArguments.Command.Parse(args);
if (parseResult.Errors.Count > 0)
{
    foreach (var error in parseResult.Errors)
    {
        await Console.Error.WriteLineAsync($"QazBus.Demo: {error.Message}");
    }

    await Console.Error.WriteLineAsync("Run with --help for usage.");
    return ExitCodes.BadArguments;
}

if (parseResult.Action is HelpAction)
{
    return await parseResult.InvokeAsync();
}

var arguments = DemoArguments.From(parseResult);

// Ctrl+C or SIGTERM ends the scenario and stops both hosts in order, rather than killing the process mid-message.
using var interrupted = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

return await new DemoRun(arguments, Console.Out).RunAsync(interrupted.Token);

void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    interrupted.Cancel();
}
