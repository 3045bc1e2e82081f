using System.Data.Common;
using System.Text;
using QazBus.Storage.Configuration;
using QazBus.Storage.MessageLog;

namespace QazBus.Cli.Commands;

/// <summary><c>qazbus log verify|find</c>: the message log of a system's storage database, for operators and auditors.</summary>
internal static class LogCommands
{
    private const string ConnectionVariable = StorageArguments.ConnectionVariable;

    public static Command Create(CliContext context)
    {
        var command = new Command("log", $"The message log in a system's storage database (QazBus:Storage). The database comes from --connection or {ConnectionVariable}.");
        command.Subcommands.Add(Verify(context));
        command.Subcommands.Add(Find(context));
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var storage = new StorageArguments();
        var command = new Command("verify", "Check the hash chain: every row unchanged, none missing. Exit code 1 and the first bad row when it is broken.");
        storage.AddTo(command);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            await using var log = storage.Open(parse);
            var result = await Read(() => log.VerifyAsync(cancellationToken)).ConfigureAwait(false);
            if (result.IsIntact)
            {
                context.Console.MarkupLine($"[green]intact[/]: {result.RowsChecked} row(s) checked, the chain ends at row {result.HeadSequence} as its head records.");
                return ExitCodes.Ok;
            }

            context.Console.MarkupLine($"[red]BROKEN[/] at row {result.FirstBadSequence}: {Markup.Escape(result.Problem ?? "?")}");
            context.Console.MarkupLine($"{result.RowsChecked} row(s) before it are intact; the chain head records {result.HeadSequence} row(s).");
            return ExitCodes.Failed;
        }));
        return command;
    }

    private static Command Find(CliContext context)
    {
        var storage = new StorageArguments();
        var messageId = new Option<string>("--message-id") { Description = "Rows of this message (CloudEvents id).", HelpName = "ID" };
        var correlationId = new Option<string>("--correlation-id") { Description = "Rows of this correlation id (a business case).", HelpName = "ID" };
        var contract = new Option<string>("--contract") { Description = "Rows of this contract, e.g. mju.population.citizen-registered.", HelpName = "NAME" };
        var from = new Option<string>("--from") { Description = "Rows at or after this time, e.g. 2026-11-29 or 2026-11-29T10:00:00+05:00 (UTC when no offset).", HelpName = "TIME" };
        var to = new Option<string>("--to") { Description = "Rows before this time.", HelpName = "TIME" };
        var max = new Option<int>("--max") { Description = "The most rows to show, the latest ones. Default 50.", DefaultValueFactory = _ => 50 };
        var payload = new Option<bool>("--payload") { Description = "Print each row's payload (contract JSON) when the log keeps it." };
        var command = new Command("find", "Find rows by message id, correlation id, or contract and time range; oldest first.")
        {
            messageId, correlationId, contract, from, to, max, payload,
        };
        storage.AddTo(command);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var query = new MessageLogQuery
            {
                MessageId = parse.GetValue(messageId),
                CorrelationId = parse.GetValue(correlationId),
                Contract = parse.GetValue(contract),
                From = Time(parse.GetValue(from), "--from"),
                To = Time(parse.GetValue(to), "--to"),
                Limit = parse.GetValue(max) is > 0 and var limit ? limit : throw CliException.Usage("--max must be at least 1"),
            };
            await using var log = storage.Open(parse);
            var rows = await Read(() => log.FindAsync(query, cancellationToken)).ConfigureAwait(false);
            Print(context, rows, parse.GetValue(payload));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(CliContext context, IReadOnlyList<MessageLogEntry> rows, bool payload)
    {
        var table = Tables.Create("#", "time (UTC)", "outcome", "system", "message id", "contract", "from", "to", "correlation", "note");
        foreach (var row in rows)
        {
            var note = row.Reason is null ? row.Attempts > 0 ? $"attempts {row.Attempts}" : string.Empty : $"{row.Reason}, attempts {row.Attempts}";
            table.AddPlainRow(
                row.Sequence.ToString(CultureInfo.InvariantCulture),
                row.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                row.Outcome,
                row.System,
                row.MessageId ?? "-",
                row.Contract is null ? "-" : $"{row.Contract} v{row.Version}",
                row.Source ?? "-",
                row.Destination,
                row.CorrelationId ?? "-",
                note);
        }

        context.Console.WriteTable(table);
        context.Console.MarkupLine($"{rows.Count} row(s).");
        if (!payload)
        {
            return;
        }

        foreach (var row in rows)
        {
            var body = row.Payload is { } bytes ? Encoding.UTF8.GetString(bytes.Span) : $"(not kept: metadata only; SHA-256 {row.PayloadHash})";
            context.Out.WriteLine($"#{row.Sequence.ToString(CultureInfo.InvariantCulture)} {body}");
        }
    }

    private static DateTimeOffset? Time(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw CliException.Usage($"{option} '{text}' is not a time; use for example 2026-11-29 or 2026-11-29T10:00:00+05:00");
    }

    // Reading problems are the operator's to fix (wrong database, no log there, server down): one line, exit code 1.
    private static async Task<T> Read<T>(Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException(ex.Message, ex);
        }
        catch (DbException ex)
        {
            throw new CliException($"the storage database could not be read: {ex.Message}", ex);
        }
    }
}
