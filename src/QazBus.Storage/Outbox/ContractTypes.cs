using System.Collections.Concurrent;
using System.Reflection;
using QazBus.Contracts;

namespace QazBus.Storage.Outbox;

/// <summary>
/// Finds the contract version of an outbox row by its name and major version. Rows store the contract's wire name,
/// never a .NET type name; the relay needs the descriptor back, which may be in a process that has not touched the
/// contract type yet (rows left from before a restart).
/// </summary>
internal sealed class ContractTypes
{
    private static readonly TimeSpan RescanInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(string Name, int Version), ContractDescriptor> _known = new();
    private readonly Lock _scanGate = new();
    private DateTime _lastFullScan = DateTime.MinValue;

    /// <summary>Remembers a contract enqueued in this process.</summary>
    public void Remember(ContractDescriptor contract) => _known.TryAdd((contract.Name, contract.MajorVersion), contract);

    /// <summary>The descriptor of a contract version.</summary>
    /// <exception cref="InvalidOperationException">No type in this process carries that contract.</exception>
    public ContractDescriptor Resolve(string name, int version)
    {
        if (_known.TryGetValue((name, version), out var contract))
        {
            return contract;
        }

        lock (_scanGate)
        {
            if (!_known.TryGetValue((name, version), out contract))
            {
                Scan(AppDomain.CurrentDomain.GetAssemblies());
                if (!_known.TryGetValue((name, version), out contract) && DateTime.UtcNow - _lastFullScan > RescanInterval)
                {
                    // Contract assemblies are loaded when first used: load what the application references.
                    _lastFullScan = DateTime.UtcNow;
                    Scan(ReferencedAssemblies());
                    _known.TryGetValue((name, version), out contract);
                }
            }
        }

        return contract ?? throw new InvalidOperationException(
            $"Contract '{name}' v{version} of an outbox row is not known in this process: no type marked [Contract(\"{name}\", {version})] is loaded. Reference the contracts assembly from the relay's application.");
    }

    private void Scan(IEnumerable<Assembly> assemblies)
    {
        foreach (var assembly in assemblies)
        {
            if (assembly.IsDynamic || IsFramework(assembly.GetName()))
            {
                continue;
            }

            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                types = ex.Types.Where(t => t is not null).ToArray()!;
            }

            foreach (var type in types)
            {
                if (type.GetCustomAttribute<ContractAttribute>(inherit: false) is not null)
                {
                    try
                    {
                        var descriptor = ContractDescriptor.For(type);
                        _known.TryAdd((descriptor.Name, descriptor.MajorVersion), descriptor);
                    }
                    catch (InvalidOperationException)
                    {
                        // An invalid contract declaration fails where it is used, with its own message.
                    }
                }
            }
        }
    }

    private static List<Assembly> ReferencedAssemblies()
    {
        var found = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Queue<Assembly>();
        if (Assembly.GetEntryAssembly() is { } entry)
        {
            pending.Enqueue(entry);
        }

        foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && !IsFramework(a.GetName())))
        {
            pending.Enqueue(loaded);
        }

        while (pending.Count > 0)
        {
            var assembly = pending.Dequeue();
            if (!found.TryAdd(assembly.GetName().Name ?? assembly.FullName!, assembly))
            {
                continue;
            }

            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (IsFramework(reference) || found.ContainsKey(reference.Name ?? string.Empty))
                {
                    continue;
                }

                try
                {
                    pending.Enqueue(Assembly.Load(reference));
                }
                catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // A reference that is not deployed cannot hold a contract this process publishes.
                }
            }
        }

        return [.. found.Values];
    }

    private static bool IsFramework(AssemblyName name) =>
        name.Name is null
        || name.Name.StartsWith("System", StringComparison.Ordinal)
        || name.Name.StartsWith("Microsoft.", StringComparison.Ordinal)
        || name.Name is "mscorlib" or "netstandard" or "Npgsql" or "RabbitMQ.Client" or "Polly.Core"
        || name.Name.StartsWith("xunit", StringComparison.Ordinal);
}
