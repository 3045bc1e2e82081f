using QazBus.Observation;
using QazBus.Operations;
using QazBus.Transport.RabbitMq;

namespace QazBus.Cli.Commands;

/// <summary><c>qazbus errors list|show|replay|discard</c>: dead letters of an endpoint, for operators.</summary>
internal static class ErrorsCommands
{
    public static Command Create(CliContext context) => CommandBuilder.Group(
        "errors",
        $"Failed messages in an endpoint's error queue. The broker comes from --uri or {BrokerArguments.UriVariable} (operator credentials); for amqps:// with the state CA pass --ca or set QazBus__RabbitMq__Tls__CaCertificatePath.",
        List(context),
        Show(context),
        Replay(context),
        Discard(context));

    private static Command List(CliContext context)
    {
        var queue = new QueueArguments();
        var max = new Option<int>("--max") { Description = "The most to list. Default 50.", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List dead letters with their reasons, oldest first, without removing them.");
        queue.AddTo(command, max);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            await using var client = await queue.ConnectAsync(parse, [], cancellationToken).ConfigureAwait(false);
            var letters = await client.ListAsync(queue.Queue(parse), parse.GetValue(max), cancellationToken).ConfigureAwait(false);
            var table = Tables.Create("message id", "contract", "from", "reason", "attempts", "faulted at", "description");
            foreach (var letter in letters)
            {
                table.AddPlainRow(
                    letter.MessageId ?? "-", letter.Contract ?? "-", letter.Source ?? "-", letter.Reason ?? "-",
                    letter.Attempts.ToString(CultureInfo.InvariantCulture), letter.FaultedAt ?? "-", Shorten(letter.Description));
            }

            context.Console.WriteTable(table);
            context.Console.MarkupLine($"{letters.Count} dead letter(s).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var queue = new QueueArguments();
        var id = new Argument<string>("message-id") { Description = "The message id." };
        var command = new Command("show", "Show one dead letter: every header and the body.");
        queue.AddTo(command, id);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            await using var client = await queue.ConnectAsync(parse, [], cancellationToken).ConfigureAwait(false);
            var letter = await client.ShowAsync(queue.Queue(parse), parse.GetValue(id)!, cancellationToken).ConfigureAwait(false)
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

    private static Command Replay(CliContext context) => ChangeCommand(
        context,
        "replay",
        "Send dead letters back to their endpoint with retries reset; recorded in headers, and in the message log of the storage database given with --connection. Safe to repeat.",
        "Who replays (recorded). Default: the OS user.",
        why: null,
        async (change, cancellationToken) =>
        {
            var count = await change.Client.ReplayAsync(change.Queue, change.Filter, change.By, cancellationToken).ConfigureAwait(false);
            context.Console.MarkupLine($"[green]replayed[/] {count} message(s).");
        });

    private static Command Discard(CliContext context)
    {
        var why = new Option<string>("--why") { Description = "Why the messages are discarded (recorded). Required.", Required = true, HelpName = "TEXT" };
        return ChangeCommand(
            context,
            "discard",
            "Remove dead letters for good; the reason is recorded in the message log of the storage database given with --connection.",
            "Who discards (recorded). Default: the OS user.",
            why,
            async (change, cancellationToken) =>
            {
                var count = await change.Client.DiscardAsync(change.Queue, change.Filter, change.Parse.GetValue(why)!, change.By, cancellationToken).ConfigureAwait(false);
                context.Console.MarkupLine($"[yellow]discarded[/] {count} message(s).");
            });
    }

    /// <summary>
    /// A command that changes dead letters: which ones (<c>--id</c>, <c>--reason</c>, <c>--contract</c> or
    /// <c>--all</c>), who acts (<c>--by</c>), and the storage database whose message log records it.
    /// </summary>
    private static Command ChangeCommand(
        CliContext context, string name, string description, string byDescription, Option<string>? why, Func<DeadLetterChange, CancellationToken, Task> change)
    {
        var queue = new QueueArguments();
        var id = new Option<string>("--id") { Description = "Only this message id.", HelpName = "ID" };
        var reason = new Option<string>("--reason") { Description = "Only messages with this reason code, e.g. handler-failed.", HelpName = "CODE" };
        var contract = new Option<string>("--contract") { Description = "Only messages of this contract.", HelpName = "NAME" };
        var all = new Option<bool>("--all") { Description = "Every message in the queue." };
        var by = new Option<string>("--by") { Description = byDescription, HelpName = "NAME" };
        var command = new Command(name, description);
        queue.AddTo(command, [id, reason, contract, all, .. why is null ? Array.Empty<Symbol>() : [why], by]);
        var storage = new StorageArguments();
        storage.AddTo(command);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            await using var log = OperatorLog.Open(storage.Options(parse));
            await using var client = await queue.ConnectAsync(parse, log.Observers, cancellationToken).ConfigureAwait(false);
            var filter = new DeadLetterFilter { MessageId = parse.GetValue(id), Reason = parse.GetValue(reason), Contract = parse.GetValue(contract), All = parse.GetValue(all) };
            if (!filter.IsSpecified)
            {
                throw CliException.Usage("name the messages: --id, --reason, --contract or --all");
            }

            await change(new DeadLetterChange(parse, client, queue.Queue(parse), filter, parse.GetValue(by) ?? Environment.UserName), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Shorten(string? text) => text is null ? "-" : text.Length <= 80 ? text : text[..77] + "...";

    /// <summary>What a changing command acts on: the dead letters chosen, in which queue, and by whom.</summary>
    private sealed record DeadLetterChange(ParseResult Parse, ErrorQueueClient Client, string Queue, DeadLetterFilter Filter, string By);

    /// <summary>The queue argument and the broker options every errors command takes, and the connection they make.</summary>
    private sealed class QueueArguments
    {
        private readonly Argument<string> _queue = new("queue") { Description = "The endpoint queue (kgd.tax-office.address-changes) or its error queue." };

        private readonly BrokerArguments _broker = new();

        /// <summary>Adds the queue, then <paramref name="others"/> (arguments keep their order), then the broker options.</summary>
        public void AddTo(Command command, params Symbol[] others)
        {
            CommandBuilder.Add(command, [_queue, .. others]);
            _broker.AddTo(command);
        }

        public string Queue(ParseResult parse) => parse.GetValue(_queue)!;

        public async Task<ErrorQueueClient> ConnectAsync(ParseResult parse, IReadOnlyList<IMessageObserver> observers, CancellationToken cancellationToken)
        {
            try
            {
                return await ErrorQueueClient.ConnectAsync(_broker.Options(parse), observers, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (BrokerConnectionException ex)
            {
                // Says why (login refused, does not answer, certificate not trusted) and names the setting, never the password.
                throw new CliException(ex.Message, ExitCodes.Failed);
            }
        }
    }
}
