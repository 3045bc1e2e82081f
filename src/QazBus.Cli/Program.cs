using QazBus.Cli;

return await QazBusCli.RunAsync(args, CliContext.ForConsole());
