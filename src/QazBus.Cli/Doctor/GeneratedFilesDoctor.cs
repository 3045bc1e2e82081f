using System.Text.Json;
using System.Text.Json.Nodes;
using QazBus.Cli.Commands;
using QazBus.Contracts;
using QazBus.Schemas.Catalog;
using QazBus.Schemas.Registry;
using QazBus.Schemas.Topology;

namespace QazBus.Cli.Doctor;

/// <summary>
/// The files derived from the registry, committed beside it: the broker definitions (<c>qazbus topology</c>) and the
/// contract catalog (<c>qazbus catalog</c>). Each must be exactly what its generator makes of the registry now.
/// </summary>
internal static class GeneratedFilesDoctor
{
    /// <summary>The committed definitions are what <see cref="TopologyGenerator"/> makes of the registry, for the vhost they name.</summary>
    /// <returns>The vhost the definitions are for, for the fixes that load them.</returns>
    /// <param name="findings">Where the finding goes.</param>
    /// <param name="context">Paths are shown relative to its working directory.</param>
    /// <param name="registry">The registry.</param>
    /// <param name="path">The committed definitions, or null when none was found (a finding).</param>
    /// <param name="registryArgument">The <c>--registry</c> argument the fix repeats, or empty for the repository's.</param>
    /// <param name="registrySound">False when the registry has problems: the generators refuse it until they are fixed.</param>
    public static string CheckDefinitions(Findings findings, CliContext context, BusRegistry registry, string? path, string registryArgument, bool registrySound)
    {
        if (path is null)
        {
            findings.Fail($"definitions: no {TopologyCommands.DefaultDefinitionsFile} in {context.WorkingDirectory} or above: run inside the repository, or pass --definitions FILE");
            return TopologyCommands.DefaultVhost;
        }

        var shown = context.Display(path);
        var committed = File.ReadAllText(path).ReplaceLineEndings("\n");
        string vhost;
        try
        {
            // Generated for the vhost the file is for: an operator's definitions for another vhost are not stale.
            vhost = JsonNode.Parse(committed)?["vhosts"]?.AsArray().FirstOrDefault()?["name"]?.GetValue<string>() ?? TopologyCommands.DefaultVhost;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            findings.Fail($"definitions {shown}: not RabbitMQ definitions ({ex.Message}): run qazbus topology{registryArgument} --out {shown}");
            return TopologyCommands.DefaultVhost;
        }

        var vhostArgument = vhost == TopologyCommands.DefaultVhost ? string.Empty : $" --vhost {vhost}";
        string generated;
        try
        {
            generated = TopologyGenerator.ToJson(TopologyGenerator.Generate(registry, vhost));
        }
        catch (InvalidOperationException ex)
        {
            findings.Fail($"definitions {shown}: cannot be generated from the registry: {ex.Message}");
            return vhost;
        }

        if (generated == committed)
        {
            findings.Ok($"definitions {shown}: what the registry generates (vhost {vhost})");
        }
        else
        {
            findings.Fail($"definitions {shown}: stale, not what the registry generates: {First(registrySound)}run qazbus topology{registryArgument}{vhostArgument} --out {shown} and commit it");
        }

        return vhost;
    }

    /// <summary>The committed catalog is what <see cref="ContractCatalog"/> makes of the registry and the contracts in code.</summary>
    /// <param name="findings">Where the finding goes.</param>
    /// <param name="context">Paths are shown relative to its working directory.</param>
    /// <param name="registry">The registry.</param>
    /// <param name="contracts">The contracts in code.</param>
    /// <param name="path">The committed catalog, or null when none was found (a finding).</param>
    /// <param name="registryOption">The --registry option as given: the catalog names its source so.</param>
    /// <param name="registryArgument">The <c>--registry</c> argument the fix repeats, or empty for the repository's.</param>
    /// <param name="registrySound">False when the registry has problems: the generators refuse it until they are fixed.</param>
    public static void CheckCatalog(
        Findings findings, CliContext context, BusRegistry registry, IReadOnlyList<ContractDescriptor> contracts, string? path, string? registryOption, string registryArgument, bool registrySound)
    {
        if (path is null)
        {
            findings.Fail($"catalog: no {CatalogCommands.DefaultCatalogFile} in {context.WorkingDirectory} or above: run inside the repository, or pass --catalog FILE");
            return;
        }

        var shown = context.Display(path);
        string generated;
        try
        {
            generated = ContractCatalog.Write(registry, contracts, CatalogCommands.Source(registryOption));
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            findings.Fail($"catalog {shown}: cannot be generated from the registry: {ex.Message}");
            return;
        }

        if (generated.ReplaceLineEndings("\n") == File.ReadAllText(path).ReplaceLineEndings("\n"))
        {
            findings.Ok($"catalog {shown}: what the registry and the contracts in code generate");
        }
        else
        {
            findings.Fail($"catalog {shown}: stale, not what the registry and the contracts in code generate: {First(registrySound)}run qazbus catalog{registryArgument} --out {shown} and commit it");
        }
    }

    // `qazbus topology` and `qazbus catalog` refuse a registry with problems: the fix starts there.
    private static string First(bool registrySound) => registrySound ? string.Empty : "fix the registry's problems above, then ";
}
