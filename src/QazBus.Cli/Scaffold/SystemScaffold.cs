using System.Text.Json.Nodes;
using QazBus.Contracts;
using QazBus.Naming;
using QazBus.Schemas.Registry;
using QazBus.Signing;

namespace QazBus.Cli.Scaffold;

/// <summary>What <c>qazbus new system</c> was asked for.</summary>
internal sealed record ScaffoldRequest(
    string System,
    string? AgencyName,
    string? Description,
    string? Owner,
    IReadOnlyList<string> Receives,
    IReadOnlyList<string> Publishes,
    string? ProjectDirectory,
    string? KeyId);

/// <summary>The files to write: paths relative to the repository root, and the registry's new text.</summary>
internal sealed record ScaffoldPlan(string ProjectDirectory, string ProjectFile, IReadOnlyDictionary<string, string> Files, string Registry, ScaffoldModel Model);

/// <summary>
/// Plans a new system from the registry and the contracts in code. Every name is checked against them before a file
/// is written, so a typo stops the scaffold with a message and leaves the repository as it was.
/// </summary>
internal static class SystemScaffold
{
    public static ScaffoldPlan Plan(ScaffoldRequest request, BusRegistry registry, string registryJson, IReadOnlyList<ContractDescriptor> code, DateOnly today, string repositoryRoot)
    {
        if (!BusNames.IsValidSystemId(request.System))
        {
            throw CliException.Usage($"'{request.System}' is not a system id ('{{agency}}.{{system}}' in lowercase a-z, 0-9 and '-')");
        }

        if (registry.Systems.Any(s => s.Id == request.System))
        {
            throw CliException.Usage($"the registry already has the system '{request.System}'");
        }

        if (request.Receives.Count == 0 && request.Publishes.Count == 0)
        {
            throw CliException.Usage("name what the system receives (--receives) or publishes (--publishes), or both");
        }

        var agency = BusNames.AgencyOf(request.System);
        var newAgency = registry.Agencies.All(a => a.Code != agency);
        if (newAgency && string.IsNullOrWhiteSpace(request.AgencyName))
        {
            throw CliException.Usage($"the agency '{agency}' is not in the registry yet: give its name with --agency-name");
        }

        var systemPart = request.System[(agency.Length + 1)..];
        var project = ScaffoldNames.Pascal(systemPart);
        var directory = (request.ProjectDirectory ?? $"samples/{project}").Replace('\\', '/').TrimEnd('/');
        if (Directory.Exists(Path.Combine(repositoryRoot, directory)))
        {
            throw CliException.Usage($"{directory} exists: choose another folder with --project-dir");
        }

        var description = request.Description ?? $"The {systemPart} system of {(request.AgencyName ?? registry.Agencies.First(a => a.Code == agency).Name)}";
        var keyId = request.KeyId ?? today.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var received = request.Receives.Select(r => Received(ContractRef.Parse(r, "--receives"), registry, code)).ToList();
        var published = request.Publishes.Select(p => Published(ContractRef.Parse(p, "--publishes"), request.System, agency, registry, code)).ToList();
        if (received.GroupBy(r => r.Endpoint).FirstOrDefault(g => g.Select(r => r.Name).Distinct().Count() > 1) is { } clash)
        {
            throw CliException.Usage($"two received contracts would share the endpoint '{clash.Key}': {string.Join(", ", clash.Select(r => r.Name))}");
        }

        var model = new ScaffoldModel(request.System, project, description, keyId, received, published);
        var (privatePem, publicPem) = MessageSignature.CreateKeyPair();
        var registryText = Registry(registryJson, request, agency, newAgency, model, publicPem, registry, code, today);

        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"{directory}/{project}.csproj"] = ScaffoldTemplates.Project(model),
            [$"{directory}/Program.cs"] = ScaffoldTemplates.Program(model),
            [$"{directory}/{project}Extensions.cs"] = ScaffoldTemplates.Extensions(model),
            [$"{directory}/appsettings.json"] = ScaffoldTemplates.Settings(model),
            [$"{directory}/.gitignore"] = ScaffoldTemplates.GitIgnore(),
            [$"{directory}/README.md"] = ScaffoldTemplates.Readme(model, directory),
            [$"{directory}/signing-key.pem"] = privatePem,
        };
        foreach (var contract in received)
        {
            files[$"{directory}/Handlers/{contract.TypeName}Handler.cs"] = ScaffoldTemplates.Handler(model, contract);
        }

        foreach (var contract in published)
        {
            if (received.Count == 0)
            {
                files[$"{directory}/Outbox/{contract.TypeName}Publisher.cs"] = ScaffoldTemplates.Publisher(model, contract);
            }

            if (contract.IsNew)
            {
                files[$"src/QazBus.Contracts/{ScaffoldNames.Pascal(agency)}/{contract.TypeName}.cs"] =
                    ScaffoldTemplates.Contract(contract, $"TODO: what happened, as {agency} would announce it ({contract.Name}).");
            }
        }

        return new ScaffoldPlan(directory, $"{directory}/{project}.csproj", files, registryText, model);
    }

    private static ReceivedContract Received(ContractRef reference, BusRegistry registry, IReadOnlyList<ContractDescriptor> code)
    {
        var versions = code.Where(c => c.Name == reference.Name && !c.IsQuery).ToList();
        if (versions.Count == 0)
        {
            throw CliException.Usage($"--receives '{reference.Name}': no contract of that name in code (qazbus contracts list shows them)");
        }

        var record = reference.Version is { } version
            ? versions.FirstOrDefault(c => c.MajorVersion == version)
              ?? throw CliException.Usage($"--receives '{reference.Name}': no v{version} in code (it has {string.Join(", ", versions.Select(v => "v" + v.MajorVersion))})")
            : versions.MaxBy(c => c.MajorVersion)!;
        var registered = registry.Contracts.FirstOrDefault(c => c.Name == record.Name)?.Versions.FirstOrDefault(v => v.Version == record.MajorVersion);
        if (registered is null || registered.Status == ContractVersionStatuses.Retired)
        {
            throw CliException.Usage($"--receives '{record.Exchange}': the registry has no {(registered is null ? string.Empty : "unretired ")}version {record.MajorVersion} of it");
        }

        return new ReceivedContract(record.Name, record.MajorVersion, record.ClrType.Name, record.ClrType.Namespace!, ScaffoldNames.Endpoint(record.Name));
    }

    private static PublishedContract Published(ContractRef reference, string system, string agency, BusRegistry registry, IReadOnlyList<ContractDescriptor> code)
    {
        if (BusNames.AgencyOf(reference.Name) != agency)
        {
            throw CliException.Usage($"--publishes '{reference.Name}': a system publishes only its own agency's contracts (names starting '{agency}.')");
        }

        if (reference.Name.StartsWith(system + ".", StringComparison.Ordinal))
        {
            // The system's broker permissions are granted by the prefix '{system}.': it would own the contract's exchanges.
            throw CliException.Usage($"--publishes '{reference.Name}' starts with the system id '{system}.': name contracts by the agency's domain, e.g. '{agency}.{{domain}}.{ScaffoldNames.Endpoint(reference.Name)}'");
        }

        var version = reference.Version ?? code.Where(c => c.Name == reference.Name).Select(c => (int?)c.MajorVersion).Max() ?? 1;
        var record = code.FirstOrDefault(c => c.Name == reference.Name && c.MajorVersion == version);
        var registered = registry.Contracts.FirstOrDefault(c => c.Name == reference.Name);
        if (record is not null)
        {
            // An existing contract: the registry must already let this agency's new system publish it, which is a
            // decision of the agency's architect, not of a scaffold.
            if (registered is null || !registered.Publishers.Contains(system, StringComparer.Ordinal))
            {
                throw CliException.Usage($"--publishes '{reference.Name}' v{version} exists in code: add '{system}' to its publishers in the registry first, or name a new contract");
            }

            return new PublishedContract(record.Name, version, record.ClrType.Name, record.ClrType.Namespace!, IsNew: false);
        }

        if (registered is not null)
        {
            throw CliException.Usage($"--publishes '{reference.Name}': the registry has it, but there is no v{version} record in code");
        }

        var typeName = ScaffoldNames.TypeName(null, reference.Name);
        if (code.Any(c => c.ClrType.Name == typeName && c.ClrType.Namespace == $"QazBus.Contracts.{ScaffoldNames.Pascal(agency)}"))
        {
            throw CliException.Usage($"--publishes '{reference.Name}': a record named {typeName} exists already");
        }

        return new PublishedContract(reference.Name, version, typeName, $"QazBus.Contracts.{ScaffoldNames.Pascal(agency)}", IsNew: true);
    }

    private static string Registry(
        string json, ScaffoldRequest request, string agency, bool newAgency, ScaffoldModel model, string publicPem,
        BusRegistry registry, IReadOnlyList<ContractDescriptor> code, DateOnly today)
    {
        var editor = new RegistryEditor(json);
        if (newAgency)
        {
            editor.Append("agencies", new JsonObject { ["code"] = agency, ["name"] = request.AgencyName }, oneLine: true);
        }

        editor.Append("systems", new JsonObject
        {
            ["id"] = model.System,
            ["name"] = model.Description,
            ["owner"] = request.Owner ?? $"TODO: the unit answering for {model.System} and how to reach it",
            ["publicKeys"] = new JsonArray(new JsonObject
            {
                ["id"] = model.KeyId,
                ["algorithm"] = PublicKeyAlgorithms.EcdsaP256,
                ["key"] = Commands.KeysCommands.RegistryKey(publicPem),
            }),
        });
        foreach (var contract in model.Publishes.Where(p => p.IsNew))
        {
            editor.Append("contracts", new JsonObject
            {
                ["name"] = contract.Name,
                ["publishers"] = new JsonArray(model.System),
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["version"] = contract.Version,
                    ["status"] = ContractVersionStatuses.Draft,
                    ["logging"] = MessageLogging.MetadataOnly,
                }),
            });
        }

        foreach (var contract in model.Receives)
        {
            // A handler of vN also receives the older versions its upcasters turn into vN: the SDK binds its queue to
            // them, so they are approved together (or the broker refuses the binding under generated permissions).
            var record = code.First(c => c.Name == contract.Name && c.MajorVersion == contract.Version);
            var implied = Upcasters.Chain(record).Select(u => u.Older.MajorVersion)
                .Where(v => registry.Contracts.First(c => c.Name == contract.Name).Versions.Any(x => x.Version == v && x.Status != ContractVersionStatuses.Retired));
            foreach (var version in implied.Reverse().Append(contract.Version))
            {
                editor.Append("subscriptions", new JsonObject
                {
                    ["system"] = model.System,
                    ["endpoint"] = contract.Endpoint,
                    ["contract"] = contract.Name,
                    ["version"] = version,
                    ["approved"] = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    ["basis"] = "TODO: the legal basis of the approval (scaffolded by qazbus new system)",
                });
            }
        }

        return editor.Text;
    }
}
