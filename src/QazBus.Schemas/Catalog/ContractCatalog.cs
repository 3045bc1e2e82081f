using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using QazBus.Contracts;
using QazBus.Naming;
using QazBus.Schemas.Registry;
using QazBus.Schemas.Compatibility;

namespace QazBus.Schemas.Catalog;

/// <summary>
/// The contract catalog: a Markdown document, for people who never read C#, of every contract on the bus, built from
/// the contract records in code and the registry.
/// </summary>
/// <remarks>
/// <para>
/// For each contract: its owner agency, publishers, versions with their status, exchange and committed schema; the
/// fields of each version (read from the schema the code generates, so the catalog says exactly what the published
/// schema says) with JSON type, rules, required-ness, personal-data mark and description, nested objects as dotted
/// names; and who subscribes. Before them, the agencies and systems, a data-flow table: which agency sends which
/// contract to which agency and system, and whether it carries personal data; and the queries: each request and its
/// response, the system that answers it, the systems approved to ask it (with approval and basis), and the personal
/// data asked and answered.
/// </para>
/// <para>
/// The output is deterministic (sorted, no timestamps, LF line ends), so the committed catalog can be compared with
/// a freshly generated one and never goes stale unnoticed.
/// </para>
/// </remarks>
public static class ContractCatalog
{
    /// <summary>Where the committed schemas live in the repository, as the catalog names them.</summary>
    public const string SchemasDirectory = "src/QazBus.Contracts/Schemas";

    /// <summary>The registry file as the catalog names it when none other is given.</summary>
    public const string DefaultRegistrySource = "deploy/registry/registry.json";

    /// <summary>Writes the catalog.</summary>
    /// <param name="registry">The registry; it should have passed <c>registry check</c>.</param>
    /// <param name="contracts">The contracts in code (see <see cref="ContractDiscovery"/>).</param>
    /// <param name="registrySource">How the catalog names the registry file it was built from.</param>
    /// <returns>The Markdown text, LF line ends, ending with a newline.</returns>
    public static string Write(BusRegistry registry, IReadOnlyList<ContractDescriptor> contracts, string registrySource = DefaultRegistrySource)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(contracts);
        ArgumentException.ThrowIfNullOrEmpty(registrySource);
        return new Writer(registry, contracts, registrySource).Write();
    }

    /// <summary>The fields of a contract version, read from its generated schema, in wire order, nested fields after their parent.</summary>
    public static IReadOnlyList<CatalogField> Fields(ContractDescriptor contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return Fields(ContractSchemaGenerator.Generate(contract));
    }

    /// <summary>The fields described by a contract schema, in wire order, nested fields after their parent.</summary>
    public static IReadOnlyList<CatalogField> Fields(JsonObject schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var fields = new List<CatalogField>();
        AddFields(schema, schema, prefix: string.Empty, markedAncestor: null, fields, new HashSet<string>(StringComparer.Ordinal));
        return fields;
    }

    private static void AddFields(JsonObject root, JsonObject schema, string prefix, string? markedAncestor, List<CatalogField> fields, HashSet<string> refsInUse)
    {
        if (schema["properties"] is not JsonObject properties)
        {
            return;
        }

        var required = schema["required"] is JsonArray names
            ? names.OfType<JsonValue>().Select(name => name.ToString()).ToHashSet(StringComparer.Ordinal)
            : [];
        foreach (var (name, node) in properties)
        {
            var field = prefix + name;
            var property = AsObject(node);
            var (resolved, reference) = Resolve(root, property);
            var marked = IsPersonalData(property) || IsPersonalData(resolved);
            var inherited = marked ? null : markedAncestor;
            fields.Add(new CatalogField(
                field,
                TypeOf(root, resolved),
                RulesOf(resolved),
                required.Contains(name),
                marked || markedAncestor is not null,
                inherited,
                Text(property, "description") ?? Text(resolved, "description")));

            // A recursive type ($ref back to an ancestor) is listed once, not forever.
            if (reference is not null && !refsInUse.Add(reference))
            {
                continue;
            }

            var ancestor = marked ? field : markedAncestor;
            AddNested(root, resolved, field, ancestor, fields, refsInUse);
            if (reference is not null)
            {
                refsInUse.Remove(reference);
            }
        }
    }

    private static void AddNested(JsonObject root, JsonObject schema, string field, string? markedAncestor, List<CatalogField> fields, HashSet<string> refsInUse)
    {
        AddFields(root, schema, field + ".", markedAncestor, fields, refsInUse);
        if (schema["items"] is JsonObject items)
        {
            var (resolved, _) = Resolve(root, items);
            AddFields(root, resolved, field + "[].", markedAncestor, fields, refsInUse);
        }

        if (schema["additionalProperties"] is JsonObject values)
        {
            var (resolved, _) = Resolve(root, values);
            AddFields(root, resolved, field + "{}.", markedAncestor, fields, refsInUse);
        }
    }

    private static string TypeOf(JsonObject root, JsonObject schema)
    {
        var types = TypesOf(schema);
        var allowsNull = types.Remove("null");
        if (schema["enum"] is JsonArray values && values.Any(value => value is null))
        {
            allowsNull = true;
        }

        string text;
        if (types.Count == 0)
        {
            text = "any";
        }
        else
        {
            text = string.Join(" or ", types.Select(type => type switch
            {
                "array" when schema["items"] is JsonObject items => "array of " + TypeOf(root, Resolve(root, items).Schema),
                "object" when schema["additionalProperties"] is JsonObject map => "map of " + TypeOf(root, Resolve(root, map).Schema),
                _ => type,
            }));
        }

        if (Text(schema, "format") is { } format)
        {
            text += $" ({format})";
        }

        return allowsNull ? text + " or null" : text;
    }

    private static List<string> TypesOf(JsonObject schema)
    {
        switch (schema["type"])
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return [value.GetValue<string>()];
            case JsonArray array:
                return [.. array.OfType<JsonValue>().Select(type => type.ToString())];
        }

        if (schema["enum"] is JsonArray values)
        {
            return [.. values.Where(value => value is not null).Select(value => value!.GetValueKind() == JsonValueKind.String ? "string" : "number").Distinct()];
        }

        return [];
    }

    private static string RulesOf(JsonObject schema)
    {
        var rules = new List<string>();
        if (schema["enum"] is JsonArray values)
        {
            rules.Add("one of " + string.Join(", ", values.Where(value => value is not null).Select(value => $"`{value!.ToJsonString()}`")));
        }

        if (Text(schema, "pattern") is { } pattern)
        {
            rules.Add($"pattern `{pattern}`");
        }

        AddRange(rules, Number(schema, "minLength"), Number(schema, "maxLength"), " characters");
        AddRange(rules, Number(schema, "minItems"), Number(schema, "maxItems"), " items");
        if (Number(schema, "minimum") is { } minimum)
        {
            rules.Add($"≥ {minimum}");
        }

        if (Number(schema, "exclusiveMinimum") is { } exclusiveMinimum)
        {
            rules.Add($"> {exclusiveMinimum}");
        }

        if (Number(schema, "maximum") is { } maximum)
        {
            rules.Add($"≤ {maximum}");
        }

        if (Number(schema, "exclusiveMaximum") is { } exclusiveMaximum)
        {
            rules.Add($"< {exclusiveMaximum}");
        }

        return string.Join("; ", rules);
    }

    private static void AddRange(List<string> rules, string? min, string? max, string unit)
    {
        if (min is not null && max is not null)
        {
            rules.Add(min == max ? $"exactly {min}{unit}" : $"{min}–{max}{unit}");
        }
        else if (min is not null)
        {
            rules.Add($"at least {min}{unit}");
        }
        else if (max is not null)
        {
            rules.Add($"at most {max}{unit}");
        }
    }

    private static (JsonObject Schema, string? Reference) Resolve(JsonObject root, JsonObject schema)
    {
        string? reference = null;
        for (var hops = 0; hops < 64 && Text(schema, "$ref") is { } target && target.StartsWith('#'); hops++)
        {
            reference = target;
            JsonNode? node = root;
            foreach (var token in target.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                var name = token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                node = node is JsonObject obj ? obj[name] : null;
            }

            schema = AsObject(node);
        }

        return (schema, reference);
    }

    private static JsonObject AsObject(JsonNode? node) => node as JsonObject ?? [];

    private static bool IsPersonalData(JsonObject schema) =>
        schema[SchemaKeywords.PersonalData] is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    private static string? Text(JsonObject schema, string keyword) =>
        schema[keyword] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static string? Number(JsonObject schema, string keyword) =>
        schema[keyword] is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? value.ToJsonString() : null;

    /// <summary>Builds the document.</summary>
    private sealed class Writer(BusRegistry registry, IReadOnlyList<ContractDescriptor> code, string registrySource)
    {
        private readonly StringBuilder _text = new();
        private readonly Dictionary<string, RegistryAgency> _agencies =
            registry.Agencies.GroupBy(a => a.Code, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        private readonly Dictionary<(string Name, int Version), IReadOnlyList<CatalogField>> _fields = code
            .GroupBy(c => (c.Name, c.MajorVersion))
            .ToDictionary(g => g.Key, g => Fields(g.First()));

        private readonly List<string> _contractNames = registry.Contracts.Select(c => c.Name)
            .Concat(code.Select(c => c.Name))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        private readonly List<RegistryQuery> _queries = registry.Queries
            .OrderBy(q => q.Query, StringComparer.Ordinal)
            .ThenBy(q => q.Version)
            .ToList();

        private readonly List<RegistrySubscription> _subscriptions = registry.Subscriptions
            .OrderBy(s => s.Contract, StringComparer.Ordinal)
            .ThenBy(s => s.Version)
            .ThenBy(s => s.System, StringComparer.Ordinal)
            .ThenBy(s => s.Endpoint, StringComparer.Ordinal)
            .ToList();

        public string Write()
        {
            WriteHeader();
            WriteDataFlows();
            WriteQueries();
            WriteAgencies();
            foreach (var name in _contractNames)
            {
                WriteContract(name);
            }

            return _text.ToString().TrimEnd('\n') + "\n";
        }

        private void WriteHeader()
        {
            var versions = _contractNames.Sum(name => Versions(name).Count);
            Line("# QazBus contract catalog");
            Line();
            Line($"Generated by `qazbus catalog` from the contract records in `src/QazBus.Contracts` and the registry `{registrySource}`.");
            Line("Do not edit it by hand: change the records or the registry, then run");
            Line("`dotnet run --project src/QazBus.Cli -- catalog --out docs/catalog.md`; a test fails while this file is out of date.");
            Line();
            Line($"{Count(_contractNames.Count, "contract")} ({Count(versions, "version")}), {Count(registry.Agencies.Count, "agency", "agencies")}, "
                + $"{Count(registry.Systems.Count, "system")}, {Count(_subscriptions.Count, "approved subscription")}, "
                + $"{Count(_queries.Count, "query", "queries")} ({Count(_queries.Sum(q => q.Requesters.Count), "approved requester")}).");
            Line();
            Line("Fields marked **PD** hold personal data (`[PersonalData]` on the record, `\"x-qazbus-personal-data\": true` in the schema):");
            Line("QazBus never writes their values to logs, traces or error headers, and neither may the agencies' handlers.");
            Line("Field names are the names on the wire (camelCase); nested objects are listed as `parent.child`, array items as `list[].child`.");
            Line("*Required* means the field must be present in its parent object.");
            Line();
            Line("- [Data flows](#data-flows)");
            Line("- [Queries](#queries)");
            Line("- [Agencies and systems](#agencies-and-systems)");
            foreach (var name in _contractNames)
            {
                Line($"- [{name}](#{Anchor(name)})");
            }

            Line();
        }

        private void WriteDataFlows()
        {
            Line("## Data flows");
            Line();
            Line("Who sends what to whom: one row per approved subscription.");
            Line();
            var rows = _subscriptions
                .Select(s => (Subscription: s, From: BusNames.AgencyOf(s.Contract), To: AgencyOfSystem(s.System)))
                .OrderBy(r => r.From, StringComparer.Ordinal)
                .ThenBy(r => r.To, StringComparer.Ordinal)
                .ThenBy(r => r.Subscription.Contract, StringComparer.Ordinal)
                .ThenBy(r => r.Subscription.Version)
                .ThenBy(r => r.Subscription.System, StringComparer.Ordinal)
                .ThenBy(r => r.Subscription.Endpoint, StringComparer.Ordinal)
                .ToList();
            if (rows.Count == 0)
            {
                Line("_No approved subscriptions._");
                Line();
                return;
            }

            Table(
                ["from agency", "publisher", "contract", "version", "to agency", "to system", "queue", "personal data"],
                rows.Select(r => (IReadOnlyList<string>)
                [
                    $"`{r.From}`",
                    Publishers(r.Subscription.Contract),
                    $"[{r.Subscription.Contract}](#{Anchor(r.Subscription.Contract)})",
                    Version(r.Subscription.Version),
                    $"`{r.To}`",
                    $"`{r.Subscription.System}`",
                    $"`{r.Subscription.System}.{r.Subscription.Endpoint}`",
                    PersonalDataSummary(r.Subscription.Contract, r.Subscription.Version),
                ]));
        }

        private void WriteQueries()
        {
            Line("## Queries");
            Line();
            Line("Who may ask whom what: one entry per query version. A requester publishes the request to its exchange (only approved");
            Line("requesters may: the broker refuses the others); the provider checks the right again and answers to the request's reply-to,");
            Line("RabbitMQ's direct reply-to or the requester's reply queue `{requester}.replies`.");
            Line();
            if (_queries.Count == 0)
            {
                Line("_No queries._");
                Line();
                return;
            }

            foreach (var query in _queries)
            {
                Line($"### {QueryHeading(query)}");
                Line();
                Line($"- **Request → response:** [{query.Query}](#{Anchor(query.Query)}) {Version(query.Version)} → [{query.Response}](#{Anchor(query.Response)}) {Version(query.ResponseVersion)}");
                var agency = BusNames.IsValidSystemId(query.Provider) && _agencies.TryGetValue(AgencyOfSystem(query.Provider), out var owner)
                    ? $" (`{owner.Code}` — {owner.Name})"
                    : string.Empty;
                var queue = BusNames.IsValidSystemId(query.Provider) && BusNames.IsValidEndpointName(query.Endpoint)
                    ? BusNames.Queue(query.Provider, query.Endpoint)
                    : $"{query.Provider}.{query.Endpoint}";
                Line($"- **Provider:** `{query.Provider}`{agency}, at the queue `{queue}`");
                Line($"- **Request exchange:** `{BusNames.Exchange(query.Query, query.Version)}`");
                Line($"- **Personal data asked:** {PersonalDataSummary(query.Query, query.Version)}");
                Line($"- **Personal data answered:** {PersonalDataSummary(query.Response, query.ResponseVersion)}");
                Line();
                if (query.Requesters.Count == 0)
                {
                    Line("_No approved requesters._");
                    Line();
                    continue;
                }

                Table(
                    ["requester", "agency", "approved", "basis"],
                    query.Requesters
                        .OrderBy(r => r.System, StringComparer.Ordinal)
                        .Select(r => (IReadOnlyList<string>)
                        [
                            $"`{r.System}`",
                            $"`{AgencyOfSystem(r.System)}`",
                            r.Approved.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                            r.Basis,
                        ]));
            }
        }

        private static string QueryHeading(RegistryQuery query) => $"{query.Query} {Version(query.Version)}";

        private static string QueryLink(RegistryQuery query) => $"[{QueryHeading(query)}](#{Anchor(QueryHeading(query))})";

        private void WriteAgencies()
        {
            Line("## Agencies and systems");
            Line();
            Table(
                ["agency", "name", "systems"],
                registry.Agencies
                    .OrderBy(a => a.Code, StringComparer.Ordinal)
                    .Select(a => (IReadOnlyList<string>)
                    [
                        $"`{a.Code}`",
                        a.Name,
                        Codes(registry.Systems.Where(s => AgencyOfSystem(s.Id) == a.Code).Select(s => s.Id)),
                    ]));
            Table(
                ["system", "what it is", "who answers for it", "publishes", "receives", "answers queries", "asks queries"],
                registry.Systems
                    .OrderBy(s => s.Id, StringComparer.Ordinal)
                    .Select(s => (IReadOnlyList<string>)
                    [
                        $"`{s.Id}`",
                        s.Name,
                        s.Owner,
                        Links(registry.Contracts.Where(c => c.Publishers.Contains(s.Id, StringComparer.Ordinal)).Select(c => c.Name)),
                        Links(_subscriptions.Where(sub => sub.System == s.Id).Select(sub => sub.Contract)),
                        QueryLinks(_queries.Where(q => q.Provider == s.Id)),
                        QueryLinks(_queries.Where(q => q.Requesters.Any(r => r.System == s.Id))),
                    ]));
        }

        private void WriteContract(string name)
        {
            var entry = registry.Contracts.FirstOrDefault(c => c.Name == name);
            var versions = Versions(name);
            var latest = code.Where(c => c.Name == name).MaxBy(c => c.MajorVersion);
            var owner = BusNames.AgencyOf(name);

            Line($"## {name}");
            Line();
            if (latest is not null && Text(ContractSchemaGenerator.Generate(latest), "description") is { } description)
            {
                Line(Inline(description));
                Line();
            }

            var ownerName = _agencies.TryGetValue(owner, out var agency) ? $" — {agency.Name}" : " (not in the registry)";
            Line($"- **Owner agency:** `{owner}`{ownerName}");
            Line($"- **Publishers:** {Publishers(name)}");
            var personal = versions.Select(v => PersonalDataSummary(name, v)).Distinct(StringComparer.Ordinal).ToList();
            Line($"- **Personal data:** {(personal.Count == 1 ? personal[0] : string.Join("; ", versions.Select(v => $"v{v}: {PersonalDataSummary(name, v)}")))}");
            foreach (var query in _queries.Where(q => q.Query == name))
            {
                Line($"- **Query:** the request of {QueryLink(query)}, answered by `{query.Provider}` with [{query.Response}](#{Anchor(query.Response)}) {Version(query.ResponseVersion)}");
            }

            foreach (var query in _queries.Where(q => q.Response == name))
            {
                Line($"- **Query:** the response {Version(query.ResponseVersion)} to {QueryLink(query)}");
            }

            Line();

            Table(
                ["version", "status", "exchange", "message log", "committed schema"],
                versions.Select(v =>
                {
                    var version = entry?.Versions.FirstOrDefault(x => x.Version == v);
                    return (IReadOnlyList<string>)
                    [
                        Version(v),
                        Status(name, v, version),
                        $"`{BusNames.Exchange(name, v)}`",
                        version?.Logging ?? "—",
                        $"`{SchemasDirectory}/{SchemaBaselines.FileName(name, v)}`",
                    ];
                }));

            foreach (var v in versions.OrderDescending())
            {
                Line($"### {name} v{v.ToString(CultureInfo.InvariantCulture)} fields");
                Line();
                if (!_fields.TryGetValue((name, v), out var fields))
                {
                    Line("_No record in code declares this version._");
                    Line();
                    continue;
                }

                Table(
                    ["field", "type", "rules", "required", "personal data", "description"],
                    fields.Select(f => (IReadOnlyList<string>)
                    [
                        $"`{f.Name}`",
                        f.Type,
                        f.Rules,
                        f.Required ? "yes" : "no",
                        f.PersonalData ? (f.PersonalDataOf is null ? "**PD**" : $"**PD** (part of `{f.PersonalDataOf}`)") : string.Empty,
                        f.Description ?? string.Empty,
                    ]));
            }

            if (_queries.Any(q => q.Query == name))
            {
                // A query's request has no subscribers (registry check refuses them): only its provider receives it.
                return;
            }

            Line($"### {name} subscribers");
            Line();
            var subscribers = _subscriptions.Where(s => s.Contract == name).ToList();
            if (subscribers.Count == 0)
            {
                Line("_No approved subscriptions._");
                Line();
                return;
            }

            Table(
                ["system", "agency", "endpoint", "version", "approved", "basis"],
                subscribers.Select(s => (IReadOnlyList<string>)
                [
                    $"`{s.System}`",
                    $"`{AgencyOfSystem(s.System)}`",
                    $"`{s.Endpoint}`",
                    Version(s.Version),
                    s.Approved.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    s.Basis,
                ]));
        }

        private List<int> Versions(string name) =>
        [
            .. (registry.Contracts.FirstOrDefault(c => c.Name == name)?.Versions.Select(v => v.Version) ?? [])
                .Concat(code.Where(c => c.Name == name).Select(c => c.MajorVersion))
                .Distinct()
                .Order(),
        ];

        private string Status(string name, int version, RegistryContractVersion? entry)
        {
            var record = code.FirstOrDefault(c => c.Name == name && c.MajorVersion == version);
            var replacement = record?.Replacement is { } text ? $"; instead: {text}" : string.Empty;
            if (entry is null)
            {
                return "not in the registry";
            }

            var sunset = entry.Sunset?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return entry.Status switch
            {
                ContractVersionStatuses.Deprecated => $"**deprecated**, sunset {sunset}{replacement}",
                ContractVersionStatuses.Retired => $"**retired** since {sunset}{replacement}",
                ContractVersionStatuses.Draft => "**draft**: under review, its schema may still change; not on production buses",
                _ => entry.Status,
            };
        }

        private string Publishers(string contract)
        {
            if (registry.Contracts.FirstOrDefault(c => c.Name == contract) is { Publishers.Count: > 0 } entry)
            {
                return Codes(entry.Publishers);
            }

            // A query's request lists no publishers: its approved requesters publish it.
            var requesters = _queries.Where(q => q.Query == contract).SelectMany(q => q.Requesters.Select(r => r.System)).ToList();
            return _queries.Any(q => q.Query == contract)
                ? $"{Codes(requesters)} (the query's approved requesters)"
                : "—";
        }

        /// <summary>"yes: `iin`, `newAddress`" (marked fields whose parent is not marked), or "no".</summary>
        private string PersonalDataSummary(string contract, int version)
        {
            if (!_fields.TryGetValue((contract, version), out var fields))
            {
                return "unknown";
            }

            var marked = fields.Where(f => f.PersonalData && f.PersonalDataOf is null).Select(f => f.Name).ToList();
            var top = marked.Where(name => !marked.Any(other => name.StartsWith(other + ".", StringComparison.Ordinal)
                || name.StartsWith(other + "[].", StringComparison.Ordinal)
                || name.StartsWith(other + "{}.", StringComparison.Ordinal)));
            return marked.Count == 0 ? "no" : "**yes**: " + Codes(top, sort: false);
        }

        private static string AgencyOfSystem(string system) =>
            BusNames.IsValidSystemId(system) ? BusNames.AgencyOf(system) : system;

        private void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
        {
            Line("| " + string.Join(" | ", header) + " |");
            Line("|" + string.Concat(header.Select(_ => " --- |")));
            foreach (var row in rows)
            {
                Line("| " + string.Join(" | ", row.Select(Cell)) + " |");
            }

            Line();
        }

        private void Line(string text = "") => _text.Append(text).Append('\n');

        private static string Cell(string text) => Inline(text).Replace("|", "\\|", StringComparison.Ordinal);

        private static string Inline(string text) => text.ReplaceLineEndings(" ").Trim();

        private static string Codes(IEnumerable<string> values, bool sort = true)
        {
            var list = values.Distinct(StringComparer.Ordinal).ToList();
            if (sort)
            {
                list.Sort(StringComparer.Ordinal);
            }

            return list.Count == 0 ? "—" : string.Join(", ", list.Select(value => $"`{value}`"));
        }

        private static string QueryLinks(IEnumerable<RegistryQuery> queries)
        {
            var list = queries.Select(QueryLink).ToList();
            return list.Count == 0 ? "—" : string.Join(", ", list);
        }

        private static string Links(IEnumerable<string> contracts)
        {
            var list = contracts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            return list.Count == 0 ? "—" : string.Join(", ", list.Select(name => $"[{name}](#{Anchor(name)})"));
        }

        private static string Version(int version) => "v" + version.ToString(CultureInfo.InvariantCulture);

        private static string Count(int count, string one, string? many = null) =>
            $"{count.ToString(CultureInfo.InvariantCulture)} {(count == 1 ? one : many ?? one + "s")}";
    }

    /// <summary>The anchor GitHub gives a heading: lowercase, spaces to '-', punctuation other than '-' and '_' dropped.</summary>
    internal static string Anchor(string heading) =>
        new([.. heading.ToLowerInvariant().Replace(' ', '-').Where(c => char.IsLetterOrDigit(c) || c is '-' or '_')]);
}
