using System.Runtime.InteropServices;
using QazBus.Demo;

if (!DemoArguments.TryParse(args, out var arguments, out var error))
{
    await Console.Error.WriteLineAsync($"QazBus.Demo: {error}\nRun with --help for usage.");
    return ExitCodes.BadArguments;
}

if (arguments.ShowHelp)
{
    Console.WriteLine(DemoArguments.Usage);
    return ExitCodes.Success;
}

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
