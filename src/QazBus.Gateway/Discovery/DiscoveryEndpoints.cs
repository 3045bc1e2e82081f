using QazBus.Gateway.Authentication;
using QazBus.Gateway.Contracts;
using QazBus.Gateway.Problems;
using QazBus.Schemas;

namespace QazBus.Gateway.Discovery;

/// <summary>
/// What the registry says, for a client team (X-Road's listMethods, allowedMethods and getOpenAPI): the agencies, the
/// contracts and queries, what the calling system may publish, receive and ask, and each contract version's JSON Schema.
/// </summary>
internal static class DiscoveryEndpoints
{
    /// <summary>An agency.</summary>
    public sealed record Agency(string Code, string Name);

    /// <summary>A contract version.</summary>
    public sealed record ContractVersion(string Contract, int Version, string Status, DateOnly? Sunset, IReadOnlyList<string> Publishers, string Schema);

    /// <summary>A query version.</summary>
    public sealed record Query(string Name, int Version, string Response, int ResponseVersion, string Provider, string Schema);

    /// <summary>A contract version named by name and major version.</summary>
    public sealed record Named(string Contract, int Version);

    /// <summary>What the calling system may do.</summary>
    public sealed record Rights(string System, IReadOnlyList<Named> Publish, IReadOnlyList<Named> Receive, IReadOnlyList<Named> Ask);

    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapGet("/agencies", (GatewayClients clients) =>
            TypedResults.Ok(clients.Registry.Agencies.Select(a => new Agency(a.Code, a.Name)).ToList()));

        v1.MapGet("/contracts", (GatewayClients clients) => TypedResults.Ok(clients.Registry.Contracts
            .SelectMany(c => c.Versions.Select(v => new ContractVersion(c.Name, v.Version, v.Status, v.Sunset, c.Publishers, SchemaPath(c.Name, v.Version))))
            .ToList()));

        v1.MapGet("/queries", (GatewayClients clients) => TypedResults.Ok(clients.Registry.Queries
            .Select(q => new Query(q.Query, q.Version, q.Response, q.ResponseVersion, q.Provider, SchemaPath(q.Query, q.Version)))
            .ToList()));

        v1.MapGet("/me", (HttpContext http, GatewayClients clients) =>
        {
            var system = http.User.Identity!.Name!;
            var registry = clients.Registry;
            return TypedResults.Ok(new Rights(
                system,
                registry.Contracts.Where(c => c.Publishers.Contains(system)).SelectMany(c => c.Versions.Select(v => new Named(c.Name, v.Version))).ToList(),
                registry.Subscriptions.Where(s => s.System == system).Select(s => new Named(s.Contract, s.Version)).Distinct().ToList(),
                registry.Queries.Where(q => q.Requesters.Any(r => r.System == system)).Select(q => new Named(q.Query, q.Version)).ToList()));
        });

        v1.MapGet("/contracts/{name}/v{version:int}/schema", IResult (string name, int version, GatewayContracts contracts, GatewayClients clients) =>
            contracts.Find(name, version) is { } contract && clients.Registry.Contracts.Any(c => c.Name == name && c.Versions.Any(v => v.Version == version))
                // The schema is generated from the record, as the committed schema files are: one generator.
                ? TypedResults.Text(ContractSchemaGenerator.GenerateText(contract), "application/schema+json")
                : PublishingUnknown(name, version));
    }

    private static IResult PublishingUnknown(string name, int version) => Publishing.PublishEndpoint.UnknownContract(name, version);

    private static string SchemaPath(string name, int version) => $"/v1/contracts/{name}/v{version}/schema";
}
