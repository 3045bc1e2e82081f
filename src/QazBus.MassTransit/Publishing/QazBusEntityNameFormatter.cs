using MassTransit;
using QazBus.Contracts;

namespace QazBus.MassTransit.Publishing;

/// <summary>
/// MassTransit's exchange name of a message type: a <see cref="ContractAttribute"/> record goes to its QazBus exchange
/// <c>{name}.v{major}</c>, named by the SDK's own <see cref="ContractDescriptor"/>; any other type (MassTransit's own
/// messages) keeps MassTransit's name.
/// </summary>
internal sealed class QazBusEntityNameFormatter(IEntityNameFormatter fallback) : IEntityNameFormatter
{
    public string FormatEntityName<T>() =>
        ContractTypes.IsContract(typeof(T)) ? ContractDescriptor.For(typeof(T)).Exchange : fallback.FormatEntityName<T>();
}

/// <summary>Which CLR types are QazBus contracts.</summary>
internal static class ContractTypes
{
    public static bool IsContract(Type type) => type.IsDefined(typeof(ContractAttribute), inherit: false);

    /// <summary>The contracts of the loaded assemblies (and those they reference): their exchanges are never declared by MassTransit.</summary>
    public static IReadOnlyList<Type> Loaded()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var assemblies = new List<System.Reflection.Assembly>();
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic))
        {
            Add(assembly);
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                try
                {
                    Add(System.Reflection.Assembly.Load(reference));
                }
                catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // a reference that is not deployed holds no contract this process can publish
                }
            }
        }

        return assemblies
            .Where(a => a.GetReferencedAssemblies().Any(r => r.Name == typeof(ContractAttribute).Assembly.GetName().Name))
            .SelectMany(SafeTypes)
            .Where(IsContract)
            .ToArray();

        void Add(System.Reflection.Assembly assembly)
        {
            if (seen.Add(assembly.FullName ?? assembly.GetName().Name ?? string.Empty))
            {
                assemblies.Add(assembly);
            }
        }
    }

    private static IEnumerable<Type> SafeTypes(System.Reflection.Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (System.Reflection.ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }
}
