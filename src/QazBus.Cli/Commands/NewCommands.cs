using System.Diagnostics;
using QazBus.Cli.Scaffold;
using QazBus.Schemas.Registry;

namespace QazBus.Cli.Commands;

/// <summary>
/// <c>qazbus new system</c>: connects the next agency system. It writes the registry entries (agency, system with its
/// public key, subscriptions, new draft contracts), a worker project, the draft contract records, adds the project
/// to the solution and the samples list, and regenerates the schemas, the catalog and the broker definitions.
/// </summary>
internal static class NewCommands
{
    /// <summary>Where the generated broker definitions are mirrored for the Kubernetes deployment.</summary>
    private const string KubernetesDefinitionsFile = "deploy/kubernetes/rabbitmq/definitions.json";

    public static Command Create(CliContext context)
    {
        var system = new Option<string>("--system") { Description = "The new system's id, {agency}.{system}, e.g. mtszn.benefits.", Required = true, HelpName = "ID" };
        var agencyName = new Option<string>("--agency-name") { Description = "The agency's name, when the agency is new to the registry.", HelpName = "TEXT" };
        var name = new Option<string>("--name") { Description = "What the system is, in words (the registry's system name).", HelpName = "TEXT" };
        var owner = new Option<string>("--owner") { Description = "Who answers for the system: a unit and a way to reach it.", HelpName = "TEXT" };
        var receives = new Option<string[]>("--receives")
        {
            Description = "A contract the system receives, e.g. mju.population.citizen-registered.v2 (without .vN: the newest in code). Repeat for each.",
            HelpName = "CONTRACT",
            AllowMultipleArgumentsPerToken = true,
        };
        var publishes = new Option<string[]>("--publishes")
        {
            Description = "A contract the system publishes, e.g. mtszn.benefits.benefit-granted (new ones are written as draft records). Repeat for each.",
            HelpName = "CONTRACT",
            AllowMultipleArgumentsPerToken = true,
        };
        var projectDir = new Option<string>("--project-dir") { Description = "The worker project's folder. Default: samples/{System} (Pascal case).", HelpName = "DIR" };
        var keyId = new Option<string>("--key-id") { Description = "The signing key's id. Default: the current year and month, e.g. 2026-12.", HelpName = "ID" };
        var noRegenerate = new Option<bool>("--no-regenerate")
        {
            Description = "Write the files only; do not build the CLI and regenerate schemas, catalog and definitions.",
        };
        var registry = RegistryCommands.FileOption();
        var create = CommandBuilder.Create(context, "system",
            "Scaffold a new system: registry entries with its public key, a worker project (inbox handlers, outbox), draft records of new contracts, the solution and samples list, " +
            "then regenerated schemas, catalog and broker definitions.",
            [system, agencyName, name, owner, receives, publishes, projectDir, keyId, noRegenerate, registry],
            parse => Run(context, new ScaffoldRequest(
                parse.GetValue(system)!,
                parse.GetValue(agencyName),
                parse.GetValue(name),
                parse.GetValue(owner),
                parse.GetValue(receives) ?? [],
                parse.GetValue(publishes) ?? [],
                parse.GetValue(projectDir),
                parse.GetValue(keyId)), parse.GetValue(registry), !parse.GetValue(noRegenerate)));
        return CommandBuilder.Group("new", "Scaffold what joins the bus.", create);
    }

    private static int Run(CliContext context, ScaffoldRequest request, string? registryOption, bool regenerate)
    {
        var solution = context.FindUpwards("QazBus.sln")
            ?? throw CliException.Usage($"could not find QazBus.sln in {context.WorkingDirectory} or above: run inside the QazBus repository");
        var root = Path.GetDirectoryName(solution)!;
        var registryPath = RegistryCommands.RegistryFile(context, registryOption);
        var json = File.ReadAllText(registryPath);
        if (!RegistryDocument.TryParse(json, out var document, out var syntax))
        {
            throw new CliException($"{context.Display(registryPath)}: {syntax}");
        }

        var plan = SystemScaffold.Plan(request, document!.Registry, json, context.Contracts(), DateOnly.FromDateTime(DateTime.UtcNow), root);
        foreach (var (relative, content) in plan.Files)
        {
            var path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
            if (relative.EndsWith(".pem", StringComparison.Ordinal) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            context.Out.WriteLine($"wrote {relative}");
        }

        File.WriteAllText(registryPath, plan.Registry);
        context.Out.WriteLine($"wrote {context.Display(registryPath)}: the agency, system {request.System} with its public key {plan.Model.KeyId}, " +
                              $"{plan.Model.Receives.Count} received and {plan.Model.Publishes.Count(p => p.IsNew)} new contracts (approval bases marked TODO)");
        AddToSamplesList(root, plan, context);
        if (!regenerate)
        {
            context.Out.WriteLine("not regenerated (--no-regenerate): add the project to QazBus.sln, then run `contracts check --update`, `catalog --out docs/catalog.md`, `topology --out deploy/rabbitmq/definitions.json`");
            return ExitCodes.Ok;
        }

        Dotnet(context, root, "sln", "QazBus.sln", "add", "--solution-folder", "samples", plan.ProjectFile);

        // The contracts this command just wrote are not in this process: a CLI built from the repository as it is
        // now regenerates the schemas and the catalog. It is built into its own folder, never over the running one.
        var cli = Path.Combine(Path.GetTempPath(), "qazbus-scaffold-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Dotnet(context, root, "build", "src/QazBus.Cli", "-c", "Release", "-o", cli, "-v", "quiet", "-nologo");
            var dll = Path.Combine(cli, "QazBus.Cli.dll");
            // The catalog names its registry file: pass one only when the command was given one.
            string[] registryArgument = registryOption is null ? [] : ["--registry", registryPath];
            Dotnet(context, root, [dll, "contracts", "check", "--update"]);
            Dotnet(context, root, [dll, "catalog", "--out", CatalogCommands.DefaultCatalogFile, .. registryArgument]);
            Dotnet(context, root, [dll, "topology", "--out", TopologyCommands.DefaultDefinitionsFile, .. registryArgument]);
            File.Copy(Path.Combine(root, TopologyCommands.DefaultDefinitionsFile), Path.Combine(root, KubernetesDefinitionsFile), overwrite: true);
            Dotnet(context, root, [dll, "registry", "check", .. registryArgument]);
            context.Out.WriteLine($"regenerated the schemas, {CatalogCommands.DefaultCatalogFile}, {TopologyCommands.DefaultDefinitionsFile} and {KubernetesDefinitionsFile} from {context.Display(registryPath)}");
        }
        finally
        {
            if (Directory.Exists(cli))
            {
                Directory.Delete(cli, recursive: true);
            }
        }

        context.Out.WriteLine($"next: cd {plan.ProjectDirectory} && dotnet run   (README.md there); before going live: qazbus doctor --system {request.System}");
        return ExitCodes.Ok;
    }

    /// <summary>A row in the samples table of samples/README.md, after the last one, when the project is under samples/.</summary>
    private static void AddToSamplesList(string root, ScaffoldPlan plan, CliContext context)
    {
        var readme = Path.Combine(root, "samples", "README.md");
        if (!plan.ProjectDirectory.StartsWith("samples/", StringComparison.Ordinal) || !File.Exists(readme))
        {
            return;
        }

        var lines = File.ReadAllLines(readme).ToList();
        var last = lines.FindLastIndex(line => line.StartsWith("| [`", StringComparison.Ordinal));
        if (last < 0)
        {
            return;
        }

        var folder = plan.ProjectDirectory["samples/".Length..];
        lines.Insert(last + 1, $"| [`{folder}/`]({folder}/README.md) | `{plan.Model.System}` | {plan.Model.Description}: scaffolded by `qazbus new system`. |");
        File.WriteAllLines(readme, lines);
        context.Out.WriteLine("wrote samples/README.md");
    }

    private static void Dotnet(CliContext context, string root, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new CliException("could not start dotnet");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var shown = string.Join(' ', arguments.Select(a => a.EndsWith("QazBus.Cli.dll", StringComparison.Ordinal) ? "qazbus" : a));
        if (process.ExitCode != 0)
        {
            context.Out.Write(stdout);
            throw new CliException($"`dotnet {shown}` failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
        }

        context.Out.WriteLine($"ran {(shown.StartsWith("qazbus", StringComparison.Ordinal) ? shown : "dotnet " + shown)}");
    }
}
