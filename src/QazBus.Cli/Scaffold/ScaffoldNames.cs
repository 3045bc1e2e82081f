using QazBus.Contracts;
using QazBus.Naming;

namespace QazBus.Cli.Scaffold;

/// <summary>A contract version named on the command line: <c>mju.population.citizen-registered.v2</c>, or without <c>.vN</c>.</summary>
internal sealed record ContractRef(string Name, int? Version)
{
    public static ContractRef Parse(string text, string option)
    {
        var name = text;
        int? version = null;
        var dot = text.LastIndexOf(".v", StringComparison.Ordinal);
        if (dot > 0 && int.TryParse(text.AsSpan(dot + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var major) && major > 0)
        {
            name = text[..dot];
            version = major;
        }

        return BusNames.IsValidContractName(name)
            ? new ContractRef(name, version)
            : throw CliException.Usage($"{option} '{text}' is not a contract: '{{agency}}.{{domain}}.{{name}}' in lowercase a-z, 0-9 and '-', optionally with '.v{{major}}' (the exchange name)");
    }
}

/// <summary>C# names for the bus's kebab-case names.</summary>
internal static class ScaffoldNames
{
    /// <summary><c>population-registry</c> → <c>PopulationRegistry</c>.</summary>
    public static string Pascal(string kebab) => string.Concat(kebab.Split('-', '.', StringSplitOptions.RemoveEmptyEntries)
        .Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>The endpoint (queue suffix) for a received contract: its last name segment, <c>citizen-registered</c>.</summary>
    public static string Endpoint(string contractName) => contractName[(contractName.LastIndexOf('.') + 1)..];

    /// <summary>The record's name in code: the CLR type of a contract in code, or the Pascal case of a new contract's last segment.</summary>
    public static string TypeName(ContractDescriptor? code, string contractName) => code?.ClrType.Name ?? Pascal(Endpoint(contractName));
}
