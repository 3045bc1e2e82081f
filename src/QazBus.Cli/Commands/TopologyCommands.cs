using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QazBus.Schemas.Registry;
using QazBus.Schemas.Topology;

namespace QazBus.Cli.Commands;

/// <summary><c>qazbus topology</c>: RabbitMQ definitions (users, permissions, exchanges, queues, bindings, policies) from the registry.</summary>
internal static class TopologyCommands
{
    /// <summary>Where the committed definitions live in the QazBus repository.</summary>
    public const string DefaultDefinitionsFile = "deploy/rabbitmq/definitions.json";

    /// <summary>The virtual host the definitions are generated for unless --vhost says otherwise.</summary>
    public const string DefaultVhost = "qazbus";

    public static Command Create(CliContext context)
    {
        var registryFile = RegistryCommands.FileOption();
        var vhost = new Option<string>("--vhost") { Description = "The virtual host. Default: qazbus.", DefaultValueFactory = _ => DefaultVhost, HelpName = "NAME" };
        var output = new Option<string>("--out") { Description = "Write the definitions to FILE (for rabbitmqctl import_definitions). Default: print them.", HelpName = "FILE" };
        var passwords = new Option<string>("--passwords")
        {
            Description = "A JSON object of system id → password; their salted SHA-256 hashes go into the definitions. Systems without one get no password login. Never commit this file.",
            HelpName = "FILE",
        };
        var apply = new Option<string>("--apply")
        {
            Description = "Load the definitions into a broker through its management API, e.g. http://127.0.0.1:15672/. Credentials from QAZBUS_MANAGEMENT_USER and QAZBUS_MANAGEMENT_PASSWORD.",
            HelpName = "URL",
        };
        var command = new Command("topology", "Derive the broker's topology and each system's permissions from the registry.")
        {
            registryFile, vhost, output, passwords, apply,
        };
        command.SetAction((parseResult, cancellationToken) => context.RunAsync(() => RunAsync(
            context,
            parseResult.GetValue(registryFile),
            parseResult.GetValue(vhost)!,
            parseResult.GetValue(output),
            parseResult.GetValue(passwords),
            parseResult.GetValue(apply),
            cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(
        CliContext context, string? registryOption, string vhost, string? output, string? passwordsFile, string? apply, CancellationToken cancellationToken)
    {
        var path = RegistryCommands.RegistryFile(context, registryOption);
        if (!RegistryDocument.TryParse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), out var document, out var problem))
        {
            throw CliException.Usage($"{context.Display(path)}: {problem}");
        }

        var problems = RegistryValidator.Validate(document!, context.Contracts());
        if (problems.Count > 0)
        {
            throw CliException.Usage($"{context.Display(path)} has {problems.Count} problem(s); run 'qazbus registry check' first");
        }

        var secrets = passwordsFile is null
            ? null
            : JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(context.Resolve(passwordsFile), cancellationToken).ConfigureAwait(false));
        var definitions = TopologyGenerator.Generate(document!.Registry, vhost, secrets);
        var json = TopologyGenerator.ToJson(definitions);

        if (output is not null)
        {
            await File.WriteAllTextAsync(context.Resolve(output), json, cancellationToken).ConfigureAwait(false);
            context.Console.MarkupLine($"[green]wrote[/] {Markup.Escape(output)}: {definitions.Users.Count} users, {definitions.Exchanges.Count} exchanges, {definitions.Queues.Count} queues, {definitions.Bindings.Count} bindings, vhost {Markup.Escape(vhost)}.");
        }
        else if (apply is null)
        {
            await context.Out.WriteAsync(json).ConfigureAwait(false);
        }

        if (apply is not null)
        {
            var user = Environment.GetEnvironmentVariable("QAZBUS_MANAGEMENT_USER") ?? throw CliException.Usage("set QAZBUS_MANAGEMENT_USER (and QAZBUS_MANAGEMENT_PASSWORD) to apply");
            var password = Environment.GetEnvironmentVariable("QAZBUS_MANAGEMENT_PASSWORD") ?? throw CliException.Usage("set QAZBUS_MANAGEMENT_PASSWORD to apply");
            using var http = new HttpClient { BaseAddress = new Uri(apply) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri("api/definitions", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException($"the management API at {apply} refused the definitions: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}", ExitCodes.Failed);
            }

            context.Console.MarkupLine($"[green]applied[/] to {Markup.Escape(apply)}, vhost {Markup.Escape(vhost)}.");
        }

        return ExitCodes.Ok;
    }
}
