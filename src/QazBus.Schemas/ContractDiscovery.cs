using System.Reflection;
using QazBus.Contracts;

namespace QazBus.Schemas;

/// <summary>Finds the contract records of an assembly: every type marked with <see cref="ContractAttribute"/>.</summary>
public static class ContractDiscovery
{
    /// <summary>The contracts declared in <paramref name="assembly"/>, ordered by name, then major version.</summary>
    /// <exception cref="InvalidOperationException">
    /// A contract's name or version is invalid, or two records declare the same name and version.
    /// </exception>
    public static IReadOnlyList<ContractDescriptor> FindContracts(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return FindContracts(assembly.GetTypes());
    }

    /// <summary>The contracts among <paramref name="types"/>, ordered by name, then major version.</summary>
    /// <exception cref="InvalidOperationException">
    /// A contract's name or version is invalid, or two records declare the same name and version.
    /// </exception>
    public static IReadOnlyList<ContractDescriptor> FindContracts(IEnumerable<Type> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        var contracts = types
            .Where(type => type.IsDefined(typeof(ContractAttribute), inherit: false))
            .Select(ContractDescriptor.For)
            .OrderBy(contract => contract.Name, StringComparer.Ordinal)
            .ThenBy(contract => contract.MajorVersion)
            .ToList();

        var duplicate = contracts
            .GroupBy(contract => (contract.Name, contract.MajorVersion))
            .FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            var typeNames = string.Join(" and ", duplicate.Select(contract => contract.ClrType.FullName));
            throw new InvalidOperationException(
                $"Contract '{duplicate.Key.Name}' v{duplicate.Key.MajorVersion} is declared twice: by {typeNames}. Each contract version has exactly one record.");
        }

        return contracts;
    }
}
