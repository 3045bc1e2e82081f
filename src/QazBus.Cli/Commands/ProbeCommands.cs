using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using QazBus.Contracts;
using QazBus.Operations;
using QazBus.Schemas.Catalog;
using QazBus.Transport.RabbitMq;

namespace QazBus.Cli.Commands;

/// <summary>
/// <c>qazbus probe CONTRACT</c>: binds a temporary queue to a contract version's exchange and prints what arrives,
/// so an integrator sees deliveries (properties, headers, body) without writing a consumer. Personal data is masked
/// unless asked for.
/// </summary>
internal static class ProbeCommands
{
    // Display only (bodies for people): indented, and Kazakh or Russian text left readable instead of \uXXXX escapes.
    private static readonly JsonWriterOptions BodyWriter = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliContext context)
    {
        var contract = new Argument<string>("contract") { Description = "The contract name, for example mju.population.address-changed." };
        var version = new Option<int?>("--version") { Description = "The major version. Default: the highest version in code.", HelpName = "N" };
        var count = new Option<int?>("--count") { Description = "Stop after N messages; exit 1 when fewer arrive within --timeout.", HelpName = "N" };
        var timeout = new Option<int?>("--timeout") { Description = "Stop after S seconds. Default: run until Ctrl+C.", HelpName = "S" };
        var showPersonalData = new Option<bool>("--show-personal-data")
        {
            Description = "Print bodies unmasked, personal data included (said on stderr). Default: every field the contract marks [PersonalData] is masked.",
        };
        var broker = new BrokerArguments();
        var command = new Command(
            "probe",
            $"Print the messages published to a contract version's exchange from now on: AMQP properties, every header and the JSON body, personal data masked. A temporary queue (exclusive, auto-delete) is bound to the exchange for as long as the probe runs; it takes nothing from the subscribers. The broker comes from --uri or {BrokerArguments.UriVariable}; the user needs configure, write and read on '^amq\\.gen-.*' and read on the exchange.");
        CommandBuilder.Add(command, contract, version, count, timeout, showPersonalData);
        broker.AddTo(command);
        command.SetAction((parse, cancellationToken) => context.RunAsync(() => ProbeAsync(
            context,
            new ProbeRequest(parse.GetValue(contract)!, parse.GetValue(version), parse.GetValue(count), parse.GetValue(timeout), parse.GetValue(showPersonalData)),
            () => broker.Options(parse),
            cancellationToken)));
        return command;
    }

    private static async Task<int> ProbeAsync(CliContext context, ProbeRequest request, Func<Configuration.RabbitMqOptions> brokerOptions, CancellationToken cancellationToken)
    {
        if (request.Count is < 1)
        {
            throw CliException.Usage("--count must be at least 1");
        }

        if (request.TimeoutSeconds is < 1)
        {
            throw CliException.Usage("--timeout must be at least 1 second");
        }

        var contract = ContractsCommands.Find(context, request.Contract, request.Version);
        var broker = brokerOptions();
        var mask = PersonalDataMask.For(contract);
        var fields = mask.Fields.Count == 0 ? "the contract marks no field" : string.Join(", ", mask.Fields);
        if (request.ShowPersonalData)
        {
            await context.Error.WriteLineAsync(
                $"warning: --show-personal-data: bodies are printed unmasked, personal data included ({fields}); keep this output out of logs, tickets and chats.").ConfigureAwait(false);
        }

        ContractProbe probe;
        try
        {
            probe = await ContractProbe.StartAsync(broker, contract, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BrokerConnectionException or ContractProbeException)
        {
            // Each says why (login refused, no exchange, access refused) and what to do, never the password.
            throw new CliException(ex.Message, ExitCodes.Failed);
        }

        await using (probe.ConfigureAwait(false))
        {
            var until = request.Count is { } n ? $"until {Counts.Of(n, "message")} arrived" : "until Ctrl+C";
            if (request.TimeoutSeconds is { } s)
            {
                until += $" or {s.ToString(CultureInfo.InvariantCulture)} s passed";
            }

            await context.Error.WriteLineAsync(
                $"Probing {contract.Name} v{contract.MajorVersion.ToString(CultureInfo.InvariantCulture)}: temporary queue {probe.Queue} bound to exchange {probe.Exchange}; " +
                $"personal data {(request.ShowPersonalData ? "SHOWN" : "masked")} ({fields}). Waiting {until}.").ConfigureAwait(false);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (request.TimeoutSeconds is { } seconds)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            var seen = 0;
            try
            {
                while (request.Count is not { } wanted || seen < wanted)
                {
                    var message = await probe.Messages.ReadAsync(stop.Token).ConfigureAwait(false);
                    seen++;
                    await PrintAsync(context.Out, message, seen, request.ShowPersonalData ? null : mask).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // --timeout ran out, or Ctrl+C: a normal end.
            }
            catch (ChannelClosedException ex) when (ex.InnerException is ContractProbeException stopped)
            {
                throw new CliException($"{stopped.Message} The probe stopped after {Counts.Of(seen, "message")}.", ExitCodes.Failed);
            }

            if (request.Count is { } expected && seen < expected)
            {
                throw new CliException(
                    $"only {Counts.Of(seen, "message")} of {expected.ToString(CultureInfo.InvariantCulture)} arrived at {probe.Exchange} before the probe stopped", ExitCodes.Failed);
            }

            await context.Error.WriteLineAsync($"Probe stopped: {Counts.Of(seen, "message")}.").ConfigureAwait(false);
            return ExitCodes.Ok;
        }
    }

    private static async Task PrintAsync(TextWriter output, ProbedMessage probed, int number, PersonalDataMask? mask)
    {
        var message = probed.Message;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"=== message {number} from exchange {probed.Exchange}").AppendLine(message.Redelivered ? " (redelivered)" : string.Empty);
        text.AppendLine(probed.Properties.Count == 0 ? "properties: none" : "properties:");
        foreach (var (name, value) in probed.Properties)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {name}: {value}").AppendLine();
        }

        text.AppendLine(message.Headers.Count == 0 ? "headers: none" : "headers:");
        foreach (var (name, value) in message.Headers.OrderBy(header => header.Key, StringComparer.Ordinal))
        {
            // Headers are metadata, never body values: QazBus writes no personal data there (see PersonalDataAttribute).
            text.Append(CultureInfo.InvariantCulture, $"  {name}: {ContractProbe.Display(value)}").AppendLine();
        }

        AppendBody(text, message.Body, mask);
        await output.WriteAsync(text.ToString()).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    private static void AppendBody(StringBuilder text, ReadOnlyMemory<byte> body, PersonalDataMask? mask)
    {
        var size = Counts.Of(body.Length, "byte");
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(body.Span);
        }
        catch (JsonException ex)
        {
            var where = $"line {((ex.LineNumber ?? 0) + 1).ToString(CultureInfo.InvariantCulture)}, byte {((ex.BytePositionInLine ?? 0) + 1).ToString(CultureInfo.InvariantCulture)}";
            if (mask is null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"body: not JSON ({size}; invalid at {where}), as text:");
                text.AppendLine(Encoding.UTF8.GetString(body.Span));
            }
            else
            {
                // Its personal data cannot be found to mask it, so none of it is shown.
                text.AppendLine(CultureInfo.InvariantCulture, $"body: not JSON ({size}; invalid at {where}): not printed, since personal data in it cannot be masked; --show-personal-data prints it as it is");
            }

            return;
        }

        if (mask is not null && parsed is not JsonObject)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"body: JSON but not an object ({size}), so not the contract's shape: not printed, since personal data in it cannot be masked; --show-personal-data prints it");
            return;
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"body ({size}{(mask is null ? ", personal data shown" : mask.Fields.Count == 0 ? string.Empty : ", personal data masked")}):");
        text.AppendLine(Indented(mask is null ? parsed : mask.Apply(parsed)));
    }

    private static string Indented(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, BodyWriter))
        {
            node.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>What the command line asked for.</summary>
    private sealed record ProbeRequest(string Contract, int? Version, int? Count, int? TimeoutSeconds, bool ShowPersonalData);
}
