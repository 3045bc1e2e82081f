using Microsoft.Extensions.Configuration;
using QazBus.Cli.Doctor;
using QazBus.Naming;
using QazBus.Schemas.Registry;

namespace QazBus.Cli.Commands;

/// <summary>
/// <c>qazbus doctor</c>: checks a system against the bus before it goes live, one line per finding and what to do.
/// </summary>
/// <remarks>
/// Every check is one the bus already has, run for one system: the registry check with the contracts in code
/// (including the versions upcasters imply), the generators of the definitions and the catalog compared with the
/// committed files, the transport's own declarations under the system's broker user, and the consumers' key store.
/// </remarks>
internal static class DoctorCommands
{
    public static Command Create(CliContext context)
    {
        var system = new Option<string>("--system") { Description = "The system to check, e.g. kgd.tax-office. Default: QazBus:System of --settings.", HelpName = "ID" };
        var settings = new Option<string>("--settings")
        {
            Description = "The system's appsettings.json: QazBus:System, QazBus:RabbitMq:ManagedTopology and QazBus:Signing (KeyId, PrivateKeyPath relative to the file) stand in for " +
                          "--system, --managed-topology, --key-id and --signing-key, so the doctor checks what the system will run with.",
            HelpName = "FILE",
        };
        var registry = RegistryCommands.FileOption();
        var definitions = CommandBuilder.RepositoryPathOption("--definitions", "The committed broker definitions", TopologyCommands.DefaultDefinitionsFile, "FILE");
        var catalog = CommandBuilder.RepositoryPathOption("--catalog", "The committed contract catalog", CatalogCommands.DefaultCatalogFile, "FILE");
        var managed = new Option<bool>("--managed-topology")
        {
            Description = "The system runs with QazBus:RabbitMq:ManagedTopology=true, as it must under the permissions generated from the registry.",
        };
        var signingKey = new Option<string>("--signing-key")
        {
            Description = "The system's private signing key (PKCS#8 PEM, QazBus:Signing:PrivateKeyPath): checked against the registry's public key --key-id.",
            HelpName = "PEM",
        };
        var keyId = new Option<string>("--key-id") { Description = "The id of the signing key in the registry (QazBus:Signing:KeyId), e.g. 2026-11.", HelpName = "ID" };
        var broker = new BrokerArguments();
        var command = new Command(
            "doctor",
            "Check a system before it goes live: the registry and the contracts in code, the committed definitions and catalog, and with --uri the broker as the system's own user " +
            "(its queues declared under managed topology, each refusal a finding), with --signing-key its key against the registry. One line per finding; exit 1 when any needs a fix.")
        {
            system, settings, registry, definitions, catalog, managed, signingKey, keyId,
        };
        broker.AddTo(command);
        command.SetAction((parse, cancellationToken) => context.RunAsync(() => RunAsync(
            context,
            WithSettings(context, parse.GetValue(settings), new DoctorRequest(
                parse.GetValue(system),
                parse.GetValue(registry),
                parse.GetValue(definitions),
                parse.GetValue(catalog),
                broker.HasUri(parse) ? broker.Options(parse) : null,
                parse.GetValue(managed),
                parse.GetValue(signingKey),
                parse.GetValue(keyId))),
            cancellationToken)));
        return command;
    }

    /// <summary>
    /// Fills what the command line leaves out from the system's own settings file, the way the host reads it; a value
    /// given on both that differs is a usage error, since the doctor would check something the system does not run.
    /// </summary>
    private static DoctorRequest WithSettings(CliContext context, string? settingsOption, DoctorRequest request)
    {
        if (settingsOption is null)
        {
            return request.System is null ? throw CliException.Usage("--system or --settings is required: the system to check") : request;
        }

        var path = context.Resolve(settingsOption);
        if (!File.Exists(path))
        {
            throw CliException.Usage($"the settings file {settingsOption} does not exist");
        }

        IConfiguration configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
        }
        catch (InvalidDataException exception)
        {
            throw CliException.Usage($"{settingsOption} is not a JSON settings file: {exception.Message}");
        }

        var section = configuration.GetSection("QazBus");
        var system = Same("--system", request.System, section["System"], settingsOption, "QazBus:System")
            ?? throw CliException.Usage($"{settingsOption} has no QazBus:System and --system is not given");
        var managed = request.ManagedTopology || string.Equals(section["RabbitMq:ManagedTopology"], "true", StringComparison.OrdinalIgnoreCase);
        var signing = section.GetSection("Signing");
        var signed = !string.IsNullOrEmpty(signing["Mode"]) && !string.Equals(signing["Mode"], "Off", StringComparison.OrdinalIgnoreCase);
        var keyId = request.KeyId ?? (signed ? signing["KeyId"] : null);
        var keyPath = signing["PrivateKeyPath"] is { Length: > 0 } file && signed
            ? Path.GetFullPath(file, Path.GetDirectoryName(path)!) // the host reads it from its folder: `dotnet run` there
            : null;
        return request with { System = system, ManagedTopology = managed, KeyId = keyId, SigningKey = request.SigningKey ?? keyPath };
    }

    private static string? Same(string option, string? given, string? configured, string file, string key) =>
        given is not null && configured is not null && given != configured
            ? throw CliException.Usage($"{option} {given} is not the system of {file} ({key}={configured})")
            : given ?? configured;

    private static async Task<int> RunAsync(CliContext context, DoctorRequest request, CancellationToken cancellationToken)
    {
        var systemId = request.System!; // WithSettings made sure there is one
        if (!BusNames.IsValidSystemId(systemId))
        {
            throw CliException.Usage($"'{systemId}' is not a system id ('{{agency}}.{{system}}' in lowercase a-z, 0-9 and '-')");
        }

        if ((request.SigningKey is null) != (request.KeyId is null))
        {
            throw CliException.Usage("--signing-key and --key-id go together: the key file and its id in the registry");
        }

        // Every path named on the command line is checked before the first finding, so a typo is a usage error.
        var registryPath = RegistryCommands.RegistryFile(context, request.Registry);
        var definitionsPath = RepositoryFile(context, request.Definitions, TopologyCommands.DefaultDefinitionsFile, "definitions");
        var catalogPath = RepositoryFile(context, request.Catalog, CatalogCommands.DefaultCatalogFile, "catalog");
        var registryArgument = request.Registry is null ? string.Empty : $" --registry {request.Registry}";
        var findings = new Findings(context);

        var shown = context.Display(registryPath);
        var json = await File.ReadAllTextAsync(registryPath, cancellationToken).ConfigureAwait(false);
        if (!RegistryDocument.TryParse(json, out var document, out var syntax))
        {
            // Nothing else can be derived from a registry that cannot be read.
            findings.Fail($"registry {RegistryCommands.Place(shown, syntax!)}: {syntax!.Path}: {syntax.Message}");
            return findings.Summarize(systemId);
        }

        var contracts = context.Contracts();
        var problems = RegistryValidator.Validate(document!, contracts);
        foreach (var problem in problems)
        {
            // The registry check's own words, which say what to approve or rename.
            findings.Fail($"registry {RegistryCommands.Place(shown, problem)}: {problem.Path}: {problem.Message}");
        }

        var bus = document!.Registry;
        if (problems.Count == 0)
        {
            findings.Ok($"registry {shown}: passes the check against the contracts in code, including the versions their upcasters imply");
        }

        var entry = bus.Systems.FirstOrDefault(s => s.Id == systemId);
        var flow = entry is null ? null : SystemFlow.Of(bus, systemId, contracts);
        if (flow is null)
        {
            findings.Fail($"system {systemId}: not in {shown}: add it to $.systems with its subscriptions (README, connect the next agency), then regenerate the definitions and the catalog");
        }
        else
        {
            findings.Ok($"system {systemId}: in {shown}: {Describe(bus, entry!)}");
        }

        GeneratedFilesDoctor.CheckDefinitions(findings, context, bus, definitionsPath, registryArgument, problems.Count == 0);
        GeneratedFilesDoctor.CheckCatalog(findings, context, bus, contracts, catalogPath, request.Registry, registryArgument, problems.Count == 0);
        if (flow is null)
        {
            // Its queues, rights and keys are the registry's entries for it: there are none to check against.
            return findings.Summarize(systemId);
        }

        if (request.Broker is { } broker)
        {
            await new BrokerDoctor(findings, broker, flow, request.ManagedTopology, registryArgument).RunAsync(cancellationToken).ConfigureAwait(false);
        }

        if (request.SigningKey is { } key)
        {
            var keyPath = context.Resolve(key);
            SigningDoctor.Check(findings, bus, entry!, keyPath, context.Display(keyPath), request.KeyId!, DateOnly.FromDateTime(DateTime.UtcNow));
        }

        return findings.Summarize(systemId);
    }

    /// <summary>What the registry gives the system, in one phrase.</summary>
    private static string Describe(BusRegistry registry, RegistrySystem system)
    {
        var subscriptions = registry.Subscriptions.Where(s => s.System == system.Id).ToList();
        var endpoints = subscriptions.Select(s => s.Endpoint).Distinct(StringComparer.Ordinal).Count();
        var published = registry.Contracts.Count(c => c.Publishers.Contains(system.Id, StringComparer.Ordinal));
        var asks = registry.Queries.Count(q => q.Requesters.Any(r => r.System == system.Id));
        var answers = registry.Queries.Count(q => q.Provider == system.Id);
        return string.Join(", ",
            $"{Counts.Of(subscriptions.Count, "subscription")} at {Counts.Of(endpoints, "endpoint")}",
            $"publishes {Counts.Of(published, "contract")}",
            $"asks {Counts.Of(asks, "query", "queries")}",
            $"answers {Counts.Of(answers, "query", "queries")}",
            Counts.Of(system.PublicKeys.Count, "signing key"));
    }

    /// <summary>The file given (it must exist), else the repository's found upwards, else null: a finding, not an error.</summary>
    private static string? RepositoryFile(CliContext context, string? option, string defaultPath, string what)
    {
        if (option is null)
        {
            return context.FindUpwards(defaultPath);
        }

        var path = context.Resolve(option);
        return File.Exists(path) ? path : throw CliException.Usage($"the {what} file {option} does not exist");
    }

    /// <summary>What the command line asks for.</summary>
    private sealed record DoctorRequest(
        string? System,
        string? Registry,
        string? Definitions,
        string? Catalog,
        Configuration.RabbitMqOptions? Broker,
        bool ManagedTopology,
        string? SigningKey,
        string? KeyId);
}
