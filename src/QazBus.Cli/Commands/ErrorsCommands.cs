using System.CommandLine;
using System.Globalization;
using QazBus.Operations;
using Spectre.Console;

namespace QazBus.Cli.Commands;

/// <summary><c>qazbus errors list|show|replay|discard</c>: dead letters of an endpoint, for operators.</summary>
internal static class ErrorsCommands
{
    private const string UriVariable = "QAZBUS_RABBITMQ_URI";

    public static Command Create(CliContext context)
    {
        var command = new Command("errors", $"Failed messages in an endpoint's error queue. The broker comes from --uri or {UriVariable} (operator credentials).");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Show(context));
        command.Subcommands.Add(Replay(context));
        command.Subcommands.Add(Discard(context));
        return command;
    }

    private static Option<string> UriOption() => new("--uri") { Description = $"The broker, amqp://user:password@host:5672/vhost. Default: {UriVariable}.", HelpName = "URI" };

    private static Argument<string> QueueArgument() => new("queue") { Description = "The endpoint queue (kgd.tax-office.address-changes) or its error queue." };

    private static Command List(CliContext context)
    {
        var uri = UriOption();
        var queue = QueueArgument();
        var max = new Option<int>("--max") { Description = "The most to list. Default 50.", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List dead letters with their reasons, oldest first, without removing them.") { queue, uri, max };
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            await using var client = await ConnectAsync(parse.GetValue(uri), [], cancellationToken).ConfigureAwait(false);
            var letters = await client.ListAsync(parse.GetValue(queue)!, parse.GetValue(max), cancellationToken).ConfigureAwait(false);
            var table = new Table().AddColumns("message id", "contract", "from", "reason", "attempts", "faulted at", "description");
            foreach (var letter in letters)
            {
                table.AddRow(
                    Markup.Escape(letter.MessageId ?? "-"), Markup.Escape(letter.Contract ?? "-"), Markup.Escape(letter.Source ?? "-"),
                    Markup.Escape(letter.Reason ?? "-"), letter.Attempts.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(letter.FaultedAt ?? "-"), Markup.Escape(Shorten(letter.Description)));
            }

            context.Console.Write(table);
            context.Console.MarkupLine($"{letters.Count} dead letter(s).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var uri = UriOption();
        var queue = QueueArgument();
        var id = new Argument<string>("message-id") { Description = "The message id." };
        var command = new Command("show", "Show one dead letter: every header and the body.") { queue, id, uri };
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            await using var client = await ConnectAsync(parse.GetValue(uri), [], cancellationToken).ConfigureAwait(false);
            var letter = await client.ShowAsync(parse.GetValue(queue)!, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"no message {parse.GetValue(id)} in the error queue", ExitCodes.Failed);
            foreach (var (name, value) in letter.Headers.OrderBy(h => h.Key, StringComparer.Ordinal))
            {
                await context.Out.WriteLineAsync($"{name}: {value}").ConfigureAwait(false);
            }

            await context.Out.WriteLineAsync().ConfigureAwait(false);
            await context.Out.WriteLineAsync(letter.Body).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Replay(CliContext context)
    {
        var uri = UriOption();
        var queue = QueueArgument();
        var (id, reason, contract, all) = FilterOptions();
        var by = new Option<string>("--by") { Description = "Who replays (recorded). Default: the OS user.", HelpName = "NAME" };
        var command = new Command("replay", "Send dead letters back to their endpoint with retries reset; recorded in headers, and in the message log of the storage database given with --connection. Safe to repeat.")
        {
            queue, uri, id, reason, contract, all, by,
        };
        var storage = new StorageArguments();
        storage.AddTo(command);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            await using var log = OperatorLog.Open(storage.Options(parse));
            await using var client = await ConnectAsync(parse.GetValue(uri), log.Observers, cancellationToken).ConfigureAwait(false);
            var filter = Filter(parse.GetValue(id), parse.GetValue(reason), parse.GetValue(contract), parse.GetValue(all));
            var count = await client.ReplayAsync(parse.GetValue(queue)!, filter, parse.GetValue(by) ?? Environment.UserName, cancellationToken).ConfigureAwait(false);
            context.Console.MarkupLine($"[green]replayed[/] {count} message(s).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Discard(CliContext context)
    {
        var uri = UriOption();
        var queue = QueueArgument();
        var (id, reason, contract, all) = FilterOptions();
        var why = new Option<string>("--why") { Description = "Why the messages are discarded (recorded). Required.", Required = true, HelpName = "TEXT" };
        var by = new Option<string>("--by") { Description = "Who discards (recorded). Default: the OS user.", HelpName = "NAME" };
        var command = new Command("discard", "Remove dead letters for good; the reason is recorded in the message log of the storage database given with --connection.") { queue, uri, id, reason, contract, all, why, by };
        var storage = new StorageArguments();
        storage.AddTo(command);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            await using var log = OperatorLog.Open(storage.Options(parse));
            await using var client = await ConnectAsync(parse.GetValue(uri), log.Observers, cancellationToken).ConfigureAwait(false);
            var filter = Filter(parse.GetValue(id), parse.GetValue(reason), parse.GetValue(contract), parse.GetValue(all));
            var count = await client.DiscardAsync(parse.GetValue(queue)!, filter, parse.GetValue(why)!, parse.GetValue(by) ?? Environment.UserName, cancellationToken).ConfigureAwait(false);
            context.Console.MarkupLine($"[yellow]discarded[/] {count} message(s).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static (Option<string> Id, Option<string> Reason, Option<string> Contract, Option<bool> All) FilterOptions() =>
        (new Option<string>("--id") { Description = "Only this message id.", HelpName = "ID" },
         new Option<string>("--reason") { Description = "Only messages with this reason code, e.g. handler-failed.", HelpName = "CODE" },
         new Option<string>("--contract") { Description = "Only messages of this contract.", HelpName = "NAME" },
         new Option<bool>("--all") { Description = "Every message in the queue." });

    private static DeadLetterFilter Filter(string? id, string? reason, string? contract, bool all)
    {
        var filter = new DeadLetterFilter { MessageId = id, Reason = reason, Contract = contract, All = all };
        return filter.IsSpecified ? filter : throw CliException.Usage("name the messages: --id, --reason, --contract or --all");
    }

    private static async Task<ErrorQueueClient> ConnectAsync(string? uri, IReadOnlyList<QazBus.Observation.IMessageObserver> observers, CancellationToken cancellationToken)
    {
        var value = uri ?? Environment.GetEnvironmentVariable(UriVariable)
            ?? throw CliException.Usage($"no broker: pass --uri or set {UriVariable}");
        if (!Uri.TryCreate(value, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "amqps"))
        {
            throw CliException.Usage("--uri is not an amqp:// or amqps:// URI");
        }

        try
        {
            return await ErrorQueueClient.ConnectAsync(parsed, observers, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException ex)
        {
            throw new CliException($"the broker at {parsed.Host}:{parsed.Port} does not answer ({ex.InnerException?.Message ?? ex.Message})", ExitCodes.Failed);
        }
    }

    private static string Shorten(string? text) => text is null ? "-" : text.Length <= 80 ? text : text[..77] + "...";
}
