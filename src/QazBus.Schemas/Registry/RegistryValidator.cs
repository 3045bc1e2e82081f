using System.Security.Cryptography;
using QazBus.Contracts;
using QazBus.Naming;
using QazBus.Schemas.Topology;
using QazBus.Retry;

namespace QazBus.Schemas.Registry;

/// <summary>
/// Checks a registry against the naming rules of the bus, against itself, and against the contracts in code.
/// </summary>
/// <remarks>
/// <para>
/// The rules: every name is valid per <see cref="BusNames"/>; no agency, system, contract, version or
/// subscription appears twice; a system's agency and a contract's owner agency exist; a contract's publishers are
/// systems of its owner agency; every contract version in the registry has a record in code and every record in
/// code is in the registry; no system id is a contract name or its dot-prefix (the broker's permissions are by
/// name, so that system would hold the contract's exchanges), nor a dot-prefix of the platform's delay queues or
/// fault exchange; a deprecated or retired version carries a sunset date and an active or draft one does not, and
/// the registry and the record's <c>[ContractDeprecated]</c> agree on it; a version is <c>draft</c> in the registry
/// exactly when its record is marked <c>[ContractDraft]</c>; a subscription names an existing system, a
/// valid endpoint other than <c>replies</c> and a registered, non-retired contract version that is not a query's
/// request, with its approval date and legal basis; public keys decode and match their algorithm.
/// </para>
/// <para>
/// A query names registered, non-retired request and response versions, both owned by one agency, whose system
/// answers it (the provider, also a publisher of the response) at a valid endpoint of its own that is neither
/// <c>replies</c> nor an endpoint of its subscriptions; its requesters are systems, each listed once with its approval
/// and legal basis; a query version is listed once. The code agrees: the request's record implements
/// <c>IQuery&lt;TResponse&gt;</c> with that response version, and every query request in code has its entry. A query
/// request lists no publishers: its requesters publish it.
/// </para>
/// </remarks>
public sealed class RegistryValidator
{
    private readonly RegistryDocument _document;
    private readonly IReadOnlyList<ContractDescriptor> _code;
    private readonly List<(string Path, string Message)> _problems = [];

    private RegistryValidator(RegistryDocument document, IReadOnlyList<ContractDescriptor> code)
    {
        _document = document;
        _code = code;
    }

    /// <summary>Reads and checks a registry file.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="contractsInCode">The contracts declared in code (see <c>ContractDiscovery</c>).</param>
    /// <returns>Every problem found, ordered by line; empty when the registry is sound.</returns>
    public static IReadOnlyList<RegistryProblem> Validate(string json, IReadOnlyList<ContractDescriptor> contractsInCode)
    {
        ArgumentNullException.ThrowIfNull(json);
        return RegistryDocument.TryParse(json, out var document, out var problem)
            ? Validate(document!, contractsInCode)
            : [problem!];
    }

    /// <summary>Checks a registry that has been read.</summary>
    /// <param name="document">The registry.</param>
    /// <param name="contractsInCode">The contracts declared in code (see <c>ContractDiscovery</c>).</param>
    /// <returns>Every problem found, ordered by line; empty when the registry is sound.</returns>
    public static IReadOnlyList<RegistryProblem> Validate(RegistryDocument document, IReadOnlyList<ContractDescriptor> contractsInCode)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(contractsInCode);
        var validator = new RegistryValidator(document, contractsInCode);
        validator.Run();
        return validator._problems
            .Select(p => new RegistryProblem(p.Path, document.LineOf(p.Path), p.Message))
            .OrderBy(p => p.Line ?? int.MaxValue)
            .ToList();
    }

    private void Run()
    {
        var registry = _document.Registry;
        var agencies = CheckAgencies(registry.Agencies);
        var systems = CheckSystems(registry.Systems, agencies);
        var contracts = CheckContracts(registry.Contracts, agencies, systems);
        CheckSystemsOwnNoContract(registry.Systems, contracts);
        CheckCodeIsRegistered(contracts);
        CheckSubscriptions(registry.Subscriptions, systems, contracts);
        CheckQueries(registry.Queries, systems, contracts);
        CheckCodeQueriesAreRegistered(registry.Queries);
    }

    /// <summary>
    /// True when <paramref name="contract"/> is the request of a query, by its record in code or by an entry in
    /// <c>$.queries</c>: its requesters publish it and its provider alone receives it.
    /// </summary>
    private bool IsQueryRequest(string contract) =>
        _code.Any(c => c.Name == contract && c.IsQuery) || _document.Registry.Queries.Any(q => q.Query == contract);

    private HashSet<string> CheckAgencies(IReadOnlyList<RegistryAgency> agencies)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < agencies.Count; i++)
        {
            var agency = agencies[i];
            var path = $"$.agencies[{i}]";
            // An agency code is one lowercase segment, the same rule as an endpoint name.
            if (!BusNames.IsValidEndpointName(agency.Code))
            {
                Problem($"{path}.code", $"agency code '{agency.Code}' is invalid: use one lowercase segment of a-z, 0-9 and '-'");
            }
            else if (!seen.TryAdd(agency.Code, path))
            {
                Problem($"{path}.code", $"agency '{agency.Code}' is listed twice (first at {seen[agency.Code]})");
            }

            RequireText($"{path}.name", agency.Name, $"agency '{agency.Code}' has no name");
        }

        return [.. seen.Keys];
    }

    private Dictionary<string, RegistrySystem> CheckSystems(IReadOnlyList<RegistrySystem> systems, HashSet<string> agencies)
    {
        var seen = new Dictionary<string, (RegistrySystem System, string Path)>(StringComparer.Ordinal);
        for (var i = 0; i < systems.Count; i++)
        {
            var system = systems[i];
            var path = $"$.systems[{i}]";
            if (!BusNames.IsValidSystemId(system.Id))
            {
                Problem($"{path}.id", $"system id '{system.Id}' is invalid: use '{{agency}}.{{system}}' in lowercase a-z, 0-9 and '-'");
            }
            else
            {
                if (!seen.TryAdd(system.Id, (system, path)))
                {
                    Problem($"{path}.id", $"system '{system.Id}' is listed twice (first at {seen[system.Id].Path})");
                }

                var agency = BusNames.AgencyOf(system.Id);
                if (!agencies.Contains(agency))
                {
                    Problem($"{path}.id", $"system '{system.Id}' belongs to agency '{agency}', which is not in $.agencies");
                }
            }

            RequireText($"{path}.name", system.Name, $"system '{system.Id}' has no name");
            RequireText($"{path}.owner", system.Owner, $"system '{system.Id}' has no owner to contact");
            CheckPublicKeys(system, path);
        }

        CheckGatewayAccess(systems);

        return seen.ToDictionary(pair => pair.Key, pair => pair.Value.System, StringComparer.Ordinal);
    }

    /// <summary>
    /// A system's broker permissions cover the names it owns, <c>{systemId}.{endpoint}</c>; a contract named
    /// <c>{systemId}</c> or <c>{systemId}.…</c> has its exchanges in that same namespace, so the system would hold
    /// the contract's exchanges (publish, bind, delete) whoever its registered publishers and subscribers are.
    /// </summary>
    private void CheckSystemsOwnNoContract(IReadOnlyList<RegistrySystem> systems, Dictionary<string, RegistryContract> contracts)
    {
        for (var i = 0; i < systems.Count; i++)
        {
            var id = systems[i].Id;
            if (!BusNames.IsValidSystemId(id))
            {
                continue;
            }

            var prefix = id + ".";
            foreach (var contract in contracts.Values
                .Where(c => c.Name == id || c.Name.StartsWith(prefix, StringComparison.Ordinal))
                .OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                var exchanges = string.Join(", ", contract.Versions.Select(v => BusNames.Exchange(contract.Name, v.Version)));
                var relation = contract.Name == id ? "is the name of" : "is a prefix of";
                Problem($"$.systems[{i}].id",
                    $"system id '{id}' {relation} contract '{contract.Name}': a system's broker permissions are granted by the prefix '{prefix}', " +
                    $"so it would own that contract's exchanges ({exchanges}) and could publish to, bind from or delete them; " +
                    $"rename the system so that no contract name is '{id}' or starts with '{prefix}'");
            }

            // The platform's own names (delay queues, fault exchange) are not in $.contracts but live on the same broker.
            var platform = DelayLevels.All.Select(DelayLevels.QueueName).Append(TopologyGenerator.FaultExchange)
                .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
                .ToList();
            if (platform.Count > 0)
            {
                Problem($"$.systems[{i}].id",
                    $"system id '{id}' is a prefix of the platform's {string.Join(", ", platform)}: a system's broker permissions are granted by the prefix '{prefix}', " +
                    "so it could take over the bus's own exchanges and queues; rename the system");
            }
        }
    }

    private void CheckPublicKeys(RegistrySystem system, string systemPath)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var k = 0; k < system.PublicKeys.Count; k++)
        {
            var key = system.PublicKeys[k];
            var path = $"{systemPath}.publicKeys[{k}]";
            if (string.IsNullOrWhiteSpace(key.Id) || key.Id.Any(char.IsWhiteSpace))
            {
                Problem($"{path}.id", $"key id '{key.Id}' of system '{system.Id}' must be non-empty and contain no spaces");
            }
            else if (!ids.TryAdd(key.Id, path))
            {
                Problem($"{path}.id", $"key id '{key.Id}' is listed twice for system '{system.Id}' (first at {ids[key.Id]})");
            }

            if (!PublicKeyAlgorithms.All.Contains(key.Algorithm))
            {
                Problem($"{path}.algorithm", $"key algorithm '{key.Algorithm}' is not one of {string.Join(", ", PublicKeyAlgorithms.All)}");
                continue;
            }

            if (KeyProblem(key) is { } problem)
            {
                Problem($"{path}.key", $"key '{key.Id}' of system '{system.Id}': {problem}");
            }
        }
    }

    /// <summary>
    /// Gateway credentials are hashes of 64 hexadecimal digits, named once per system; one certificate key or API key
    /// belongs to one system only, or the gateway could not tell who is calling.
    /// </summary>
    private void CheckGatewayAccess(IReadOnlyList<RegistrySystem> systems)
    {
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < systems.Count; i++)
        {
            if (systems[i].Gateway is not { } access)
            {
                continue;
            }

            var system = systems[i].Id;
            var credentials = access.ClientCertificates.Select((c, k) => ($"$.systems[{i}].gateway.clientCertificates[{k}]", c.Id, c.SpkiSha256, "spkiSha256", "client certificate"))
                .Concat(access.ApiKeys.Select((a, k) => ($"$.systems[{i}].gateway.apiKeys[{k}]", a.Id, a.Sha256, "sha256", "API key")));
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (path, id, hash, field, kind) in credentials)
            {
                if (string.IsNullOrWhiteSpace(id) || id.Any(char.IsWhiteSpace))
                {
                    Problem($"{path}.id", $"{kind} id '{id}' of system '{system}' must be non-empty and contain no spaces");
                }
                else if (!ids.TryAdd(kind + "/" + id, path))
                {
                    Problem($"{path}.id", $"{kind} id '{id}' is listed twice for system '{system}' (first at {ids[kind + "/" + id]})");
                }

                if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
                {
                    Problem($"{path}.{field}", $"{kind} '{id}' of system '{system}': {field} must be a SHA-256 written as 64 hexadecimal digits");
                }
                else if (!owners.TryAdd(hash, path))
                {
                    Problem($"{path}.{field}", $"{kind} '{id}' of system '{system}' has the same hash as {owners[hash]}: a credential identifies one system");
                }
            }
        }
    }

    internal static string? KeyProblem(RegistryPublicKey key)
    {
        var der = new byte[key.Key.Length];
        if (!Convert.TryFromBase64String(key.Key, der, out var length))
        {
            return "is not Base64 (expected the DER SubjectPublicKeyInfo, a PEM body on one line)";
        }

        var spki = der.AsSpan(0, length);
        try
        {
            if (key.Algorithm == PublicKeyAlgorithms.Rsa)
            {
                using var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(spki, out _);
                return rsa.KeySize < 2048 ? $"is an RSA key of {rsa.KeySize} bits; at least 2048 are required" : null;
            }

            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
            var expected = key.Algorithm == PublicKeyAlgorithms.EcdsaP256 ? 256 : 384;
            return ecdsa.KeySize != expected ? $"is an ECDSA key of {ecdsa.KeySize} bits, not {key.Algorithm}" : null;
        }
        catch (CryptographicException)
        {
            return $"is not a {key.Algorithm} public key (expected the DER SubjectPublicKeyInfo in Base64)";
        }
    }

    private Dictionary<string, RegistryContract> CheckContracts(
        IReadOnlyList<RegistryContract> contracts, HashSet<string> agencies, Dictionary<string, RegistrySystem> systems)
    {
        var seen = new Dictionary<string, (RegistryContract Contract, string Path)>(StringComparer.Ordinal);
        for (var i = 0; i < contracts.Count; i++)
        {
            var contract = contracts[i];
            var path = $"$.contracts[{i}]";
            if (!BusNames.IsValidContractName(contract.Name))
            {
                Problem($"{path}.name", $"contract name '{contract.Name}' is invalid: use '{{agency}}.{{domain}}.{{event}}' in lowercase a-z, 0-9 and '-'");
                continue;
            }

            if (!seen.TryAdd(contract.Name, (contract, path)))
            {
                Problem($"{path}.name", $"contract '{contract.Name}' is listed twice (first at {seen[contract.Name].Path}): list all its versions in one entry");
                continue;
            }

            var owner = BusNames.AgencyOf(contract.Name);
            if (!agencies.Contains(owner))
            {
                Problem($"{path}.name", $"contract '{contract.Name}' is owned by agency '{owner}', which is not in $.agencies");
            }

            if (IsQueryRequest(contract.Name) && contract.Publishers.Count > 0)
            {
                // Requesters are mostly other agencies' systems: the owner-agency rule for publishers does not fit them.
                Problem($"{path}.publishers", $"'{contract.Name}' is a query request: the systems that publish it are its approved requesters in $.queries, so leave its publishers empty");
            }
            else
            {
                CheckPublishers(contract, path, owner, systems);
            }

            CheckVersions(contract, path);
        }

        return seen.ToDictionary(pair => pair.Key, pair => pair.Value.Contract, StringComparer.Ordinal);
    }

    private void CheckPublishers(RegistryContract contract, string contractPath, string owner, Dictionary<string, RegistrySystem> systems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var p = 0; p < contract.Publishers.Count; p++)
        {
            var publisher = contract.Publishers[p];
            var path = $"{contractPath}.publishers[{p}]";
            if (!systems.ContainsKey(publisher))
            {
                Problem(path, $"publisher '{publisher}' of '{contract.Name}' is not a system in $.systems");
            }
            else if (BusNames.AgencyOf(publisher) != owner)
            {
                Problem(path, $"publisher '{publisher}' belongs to agency '{BusNames.AgencyOf(publisher)}', but only systems of the owner agency '{owner}' may publish '{contract.Name}'");
            }
            else if (!seen.Add(publisher))
            {
                Problem(path, $"publisher '{publisher}' is listed twice for '{contract.Name}'");
            }
        }
    }

    private void CheckVersions(RegistryContract contract, string contractPath)
    {
        if (contract.Versions.Count == 0)
        {
            Problem($"{contractPath}.versions", $"contract '{contract.Name}' lists no versions");
        }

        var seen = new Dictionary<int, string>();
        for (var v = 0; v < contract.Versions.Count; v++)
        {
            var version = contract.Versions[v];
            var path = $"{contractPath}.versions[{v}]";
            var label = $"'{contract.Name}' v{version.Version}";
            if (version.Version < 1)
            {
                Problem($"{path}.version", $"version {version.Version} of '{contract.Name}' is invalid: versions start at 1");
                continue;
            }

            if (!seen.TryAdd(version.Version, path))
            {
                Problem($"{path}.version", $"{label} is listed twice (first at {seen[version.Version]})");
                continue;
            }

            var record = _code.FirstOrDefault(c => c.Name == contract.Name && c.MajorVersion == version.Version);
            if (record is null)
            {
                var known = VersionsInCode(contract.Name);
                var inCode = known.Length == 0 ? "no record in code declares this contract" : $"code has version(s) {string.Join(", ", known)}";
                Problem($"{path}.version", $"{label} is not in code: {inCode}");
            }
            else
            {
                CheckDraftAgrees(version, path, label, record);
                CheckDeprecationAgrees(version, path, label, record);
            }

            if (!ContractVersionStatuses.All.Contains(version.Status))
            {
                Problem($"{path}.status", $"status '{version.Status}' of {label} is not one of {string.Join(", ", ContractVersionStatuses.All)}");
            }
            else if (version.Status is ContractVersionStatuses.Deprecated or ContractVersionStatuses.Retired && version.Sunset is null)
            {
                Problem($"{path}.status", $"{label} is {version.Status} but has no sunset date: add \"sunset\": \"YYYY-MM-DD\"");
            }
            else if (version.Status is ContractVersionStatuses.Active or ContractVersionStatuses.Draft && version.Sunset is not null)
            {
                Problem($"{path}.sunset", $"{label} is {version.Status} but has a sunset date: mark it deprecated, or remove the date");
            }

            if (!MessageLogging.All.Contains(version.Logging))
            {
                Problem($"{path}.logging", $"logging '{version.Logging}' of {label} is not one of {string.Join(", ", MessageLogging.All)}");
            }
        }
    }

    /// <summary>
    /// The registry and the record's <c>[ContractDraft]</c> must tell the same story: a draft in code that the registry
    /// calls published would reach consumers as a standard while its schema may still change; a registry draft whose
    /// record is published would leave production buses carrying what the registry still reviews.
    /// </summary>
    private void CheckDraftAgrees(RegistryContractVersion version, string path, string label, ContractDescriptor record)
    {
        if (!ContractVersionStatuses.All.Contains(version.Status))
        {
            return;
        }

        if (record.IsDraft && version.Status != ContractVersionStatuses.Draft)
        {
            Problem($"{path}.status", $"{label} is a draft in code ([ContractDraft] on {record.ClrType.Name}) but {version.Status} in the registry: mark it draft in the registry, or publish it by removing [ContractDraft]");
        }
        else if (!record.IsDraft && version.Status == ContractVersionStatuses.Draft)
        {
            Problem($"{path}.status", $"{label} is a draft in the registry but published in code: add [ContractDraft] to {record.ClrType.Name} while it is under review, or mark it active in the registry");
        }
    }

    /// <summary>The registry and the record's <c>[ContractDeprecated]</c> must tell the same story: it is written twice.</summary>
    private void CheckDeprecationAgrees(RegistryContractVersion version, string path, string label, ContractDescriptor record)
    {
        // A draft's agreement with the code is CheckDraftAgrees's; a draft record cannot be deprecated at all.
        if (!ContractVersionStatuses.All.Contains(version.Status) || version.Status == ContractVersionStatuses.Draft || record.IsDraft)
        {
            return;
        }

        var attribute = record.Sunset is { } codeSunset ? $"[ContractDeprecated(\"{codeSunset:yyyy-MM-dd}\")]" : null;
        if (attribute is not null && version.Status == ContractVersionStatuses.Active)
        {
            Problem($"{path}.status", $"{label} is deprecated in code ({attribute} on {record.ClrType.Name}) but active in the registry: mark it deprecated with the same sunset date");
        }
        else if (attribute is not null && version.Sunset is { } sunset && sunset != record.Sunset)
        {
            Problem($"{path}.sunset", $"{label} has sunset {sunset:yyyy-MM-dd} in the registry but {attribute} in code: make them the same day");
        }
        else if (attribute is null && version.Status != ContractVersionStatuses.Active)
        {
            var date = version.Sunset is { } registrySunset ? $"{registrySunset:yyyy-MM-dd}" : "yyyy-MM-dd";
            Problem($"{path}.status", $"{label} is {version.Status} in the registry but not in code: add [ContractDeprecated(\"{date}\")] to {record.ClrType.Name} so its publishers and consumers are warned");
        }
    }

    private void CheckCodeIsRegistered(Dictionary<string, RegistryContract> registered)
    {
        var contracts = _document.Registry.Contracts;
        foreach (var contract in _code)
        {
            if (!registered.TryGetValue(contract.Name, out var entry))
            {
                Problem("$.contracts", $"contract '{contract.Name}' v{contract.MajorVersion} is in code but not in the registry: add it to $.contracts");
            }
            else if (!entry.Versions.Any(v => v.Version == contract.MajorVersion))
            {
                var index = IndexOf(contracts, entry);
                Problem($"$.contracts[{index}].versions",
                    $"contract '{contract.Name}' v{contract.MajorVersion} is in code but not in the registry: add it to the versions of '{contract.Name}'");
            }
        }
    }

    private void CheckSubscriptions(
        IReadOnlyList<RegistrySubscription> subscriptions, Dictionary<string, RegistrySystem> systems, Dictionary<string, RegistryContract> contracts)
    {
        var seen = new Dictionary<(string, string, string, int), string>();
        for (var i = 0; i < subscriptions.Count; i++)
        {
            var subscription = subscriptions[i];
            var path = $"$.subscriptions[{i}]";
            if (!systems.ContainsKey(subscription.System))
            {
                Problem($"{path}.system", $"system '{subscription.System}' is not in $.systems");
            }

            if (!BusNames.IsValidEndpointName(subscription.Endpoint))
            {
                Problem($"{path}.endpoint", $"endpoint '{subscription.Endpoint}' is invalid: use one lowercase segment of a-z, 0-9 and '-'");
            }
            else if (subscription.Endpoint == BusNames.RepliesEndpoint)
            {
                Problem($"{path}.endpoint", $"endpoint '{BusNames.RepliesEndpoint}' is the system's reply queue for the answers to its queries: choose another endpoint");
            }

            if (!contracts.TryGetValue(subscription.Contract, out var contract))
            {
                Problem($"{path}.contract", $"contract '{subscription.Contract}' is not in $.contracts");
            }
            else if (contract.Versions.FirstOrDefault(v => v.Version == subscription.Version) is not { } version)
            {
                var known = string.Join(", ", contract.Versions.Select(v => v.Version));
                Problem($"{path}.version", $"contract '{subscription.Contract}' has no version {subscription.Version} in the registry (versions: {known})");
            }
            else if (version.Status == ContractVersionStatuses.Retired)
            {
                Problem($"{path}.version", $"'{subscription.Contract}' v{subscription.Version} is retired: subscribe to a newer version");
            }
            else if (IsQueryRequest(subscription.Contract))
            {
                // Read on the request exchange would hand the subscriber every requester's questions (and their personal data).
                Problem($"{path}.contract", $"'{subscription.Contract}' is a query request: only its provider receives it, at the endpoint named in $.queries; a subscription would let '{subscription.System}' read every system's requests");
            }

            RequireText($"{path}.basis", subscription.Basis, "the subscription names no legal basis or decision");

            var key = (subscription.System, subscription.Endpoint, subscription.Contract, subscription.Version);
            if (!seen.TryAdd(key, path))
            {
                Problem(path, $"subscription of '{subscription.System}' at '{subscription.Endpoint}' to '{subscription.Contract}' v{subscription.Version} is listed twice (first at {seen[key]})");
            }
        }

        CheckUpcastBindings(subscriptions, contracts, seen);
    }

    /// <summary>
    /// A handler of v2 also receives v1 through the upcasters declared beside the contracts: the SDK binds its queue to
    /// every older version's exchange. Those bindings must be approved too, or the broker refuses them under the
    /// generated permissions and the system stops at start. Versions the registry retired are not bound by anyone.
    /// </summary>
    private void CheckUpcastBindings(
        IReadOnlyList<RegistrySubscription> subscriptions, Dictionary<string, RegistryContract> contracts, Dictionary<(string, string, string, int), string> approved)
    {
        for (var i = 0; i < subscriptions.Count; i++)
        {
            var subscription = subscriptions[i];
            if (_code.FirstOrDefault(c => c.Name == subscription.Contract && c.MajorVersion == subscription.Version) is not { } record)
            {
                continue;
            }

            foreach (var (older, _) in Upcasters.Chain(record))
            {
                var registered = contracts.TryGetValue(older.Name, out var contract)
                    && contract.Versions.Any(v => v.Version == older.MajorVersion && v.Status != ContractVersionStatuses.Retired);
                if (registered && !approved.ContainsKey((subscription.System, subscription.Endpoint, older.Name, older.MajorVersion)))
                {
                    Problem($"$.subscriptions[{i}].version",
                        $"'{subscription.System}' at '{subscription.Endpoint}' receives '{subscription.Contract}' v{subscription.Version}, whose handler also receives v{older.MajorVersion} through the upcaster in code: " +
                        $"its queue is bound to '{older.Exchange}' as well, so approve that too (a subscription of '{subscription.System}' at '{subscription.Endpoint}' to '{older.Name}' v{older.MajorVersion}), or the broker refuses the binding under the generated permissions");
                }
            }
        }
    }

    private void CheckQueries(IReadOnlyList<RegistryQuery> queries, Dictionary<string, RegistrySystem> systems, Dictionary<string, RegistryContract> contracts)
    {
        var seen = new Dictionary<(string, int), string>();
        for (var i = 0; i < queries.Count; i++)
        {
            var query = queries[i];
            var path = $"$.queries[{i}]";
            var label = $"query '{query.Query}' v{query.Version}";
            var request = CheckQueryContract($"{path}.query", $"{path}.version", "request", query.Query, query.Version, contracts);
            var response = CheckQueryContract($"{path}.response", $"{path}.responseVersion", "response", query.Response, query.ResponseVersion, contracts);

            // The answering agency owns both: it defines what may be asked and what it answers.
            var owner = request is null ? null : BusNames.AgencyOf(query.Query);
            if (owner is not null && response is not null && BusNames.AgencyOf(query.Response) != owner)
            {
                Problem($"{path}.response", $"response '{query.Response}' is owned by agency '{BusNames.AgencyOf(query.Response)}', but the request '{query.Query}' by '{owner}': both contracts of a query belong to the agency that answers it");
                response = null; // whose publishers the provider joins is moot until the owner is one
            }

            CheckQueryAgreesWithCode(query, path, label);
            CheckProvider(query, path, label, owner, systems, response);
            CheckQueryEndpoint(query, path);

            if (!seen.TryAdd((query.Query, query.Version), path))
            {
                Problem($"{path}.query", $"{label} is listed twice (first at {seen[(query.Query, query.Version)]}): one system answers a query version; list all its requesters in one entry");
            }

            var requesters = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var r = 0; r < query.Requesters.Count; r++)
            {
                var requester = query.Requesters[r];
                var requesterPath = $"{path}.requesters[{r}]";
                if (!systems.ContainsKey(requester.System))
                {
                    Problem($"{requesterPath}.system", $"requester '{requester.System}' of {label} is not a system in $.systems");
                }
                else if (!requesters.TryAdd(requester.System, requesterPath))
                {
                    Problem($"{requesterPath}.system", $"requester '{requester.System}' is listed twice for {label} (first at {requesters[requester.System]})");
                }

                RequireText($"{requesterPath}.basis", requester.Basis, $"the right of '{requester.System}' to ask {label} names no legal basis or decision");
            }
        }
    }

    /// <summary>The request or response contract version of a query, when it is registered and not retired.</summary>
    private RegistryContract? CheckQueryContract(string namePath, string versionPath, string role, string name, int version, Dictionary<string, RegistryContract> contracts)
    {
        if (!contracts.TryGetValue(name, out var contract))
        {
            Problem(namePath, $"{role} contract '{name}' is not in $.contracts");
            return null;
        }

        if (contract.Versions.FirstOrDefault(v => v.Version == version) is not { } entry)
        {
            var known = string.Join(", ", contract.Versions.Select(v => v.Version));
            Problem(versionPath, $"{role} contract '{name}' has no version {version} in the registry (versions: {known})");
            return null;
        }

        if (entry.Status == ContractVersionStatuses.Retired)
        {
            Problem(versionPath, $"{role} '{name}' v{version} is retired: register the query on a newer version");
        }

        return contract;
    }

    /// <summary>The request's record says what answers it (<c>IQuery&lt;TResponse&gt;</c>); the registry must say the same.</summary>
    private void CheckQueryAgreesWithCode(RegistryQuery query, string path, string label)
    {
        var record = _code.FirstOrDefault(c => c.Name == query.Query && c.MajorVersion == query.Version);
        if (record is null)
        {
            // A version missing from code is reported at $.contracts already.
            return;
        }

        if (!record.IsQuery)
        {
            Problem($"{path}.query", $"'{query.Query}' v{query.Version} is not a query in code: {record.ClrType.Name} does not implement IQuery<TResponse>");
            return;
        }

        ContractDescriptor answer;
        try
        {
            answer = ContractDescriptor.For(record.ResponseType!);
        }
        catch (InvalidOperationException exception)
        {
            Problem($"{path}.response", $"{label}: the response of {record.ClrType.Name} in code is no contract: {exception.Message}");
            return;
        }

        if (answer.Name != query.Response || answer.MajorVersion != query.ResponseVersion)
        {
            Problem($"{path}.response",
                $"{label} is answered with '{answer.Name}' v{answer.MajorVersion} in code ({record.ClrType.Name} : IQuery<{record.ResponseType!.Name}>), not '{query.Response}' v{query.ResponseVersion}: make them the same");
        }
    }

    private void CheckProvider(RegistryQuery query, string path, string label, string? owner, Dictionary<string, RegistrySystem> systems, RegistryContract? response)
    {
        if (!systems.ContainsKey(query.Provider))
        {
            Problem($"{path}.provider", $"provider '{query.Provider}' of {label} is not a system in $.systems");
        }
        else if (owner is not null && BusNames.AgencyOf(query.Provider) != owner)
        {
            Problem($"{path}.provider", $"provider '{query.Provider}' belongs to agency '{BusNames.AgencyOf(query.Provider)}', but only a system of the owner agency '{owner}' may answer {label}");
        }
        else if (response is not null && !response.Publishers.Contains(query.Provider, StringComparer.Ordinal))
        {
            var index = IndexOf(_document.Registry.Contracts, response);
            Problem($"{path}.provider", $"provider '{query.Provider}' answers with '{query.Response}' but is not one of its publishers: add it to $.contracts[{index}].publishers");
        }
    }

    private void CheckQueryEndpoint(RegistryQuery query, string path)
    {
        if (!BusNames.IsValidEndpointName(query.Endpoint))
        {
            Problem($"{path}.endpoint", $"endpoint '{query.Endpoint}' is invalid: use one lowercase segment of a-z, 0-9 and '-'");
            return;
        }

        if (query.Endpoint == BusNames.RepliesEndpoint)
        {
            Problem($"{path}.endpoint", $"endpoint '{BusNames.RepliesEndpoint}' is the provider's reply queue for the answers to its own queries: choose another endpoint");
            return;
        }

        // An endpoint answers queries only (the SDK refuses to mix them): answers must not wait behind events.
        var subscriptions = _document.Registry.Subscriptions;
        for (var s = 0; s < subscriptions.Count; s++)
        {
            if (subscriptions[s].System == query.Provider && subscriptions[s].Endpoint == query.Endpoint)
            {
                Problem($"{path}.endpoint", $"endpoint '{query.Endpoint}' of '{query.Provider}' also receives the subscription at $.subscriptions[{s}]: a query endpoint answers queries only, so give it an endpoint of its own");
                return;
            }
        }
    }

    private void CheckCodeQueriesAreRegistered(IReadOnlyList<RegistryQuery> queries)
    {
        foreach (var request in _code.Where(c => c.IsQuery))
        {
            if (!queries.Any(q => q.Query == request.Name && q.Version == request.MajorVersion))
            {
                Problem("$.queries", $"query '{request.Name}' v{request.MajorVersion} is in code but not in $.queries: add it with its provider, endpoint and approved requesters");
            }
        }
    }

    private int[] VersionsInCode(string name) =>
        [.. _code.Where(c => c.Name == name).Select(c => c.MajorVersion)];

    private static int IndexOf(IReadOnlyList<RegistryContract> contracts, RegistryContract entry)
    {
        for (var i = 0; i < contracts.Count; i++)
        {
            if (ReferenceEquals(contracts[i], entry))
            {
                return i;
            }
        }

        return -1;
    }

    private void RequireText(string path, string? value, string message)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Problem(path, message);
        }
    }

    private void Problem(string path, string message) => _problems.Add((path, message));
}
