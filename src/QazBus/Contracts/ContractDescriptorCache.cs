using System.Collections.Concurrent;

namespace QazBus.Contracts;

/// <summary>Caches contract descriptors by CLR type, so attributes are read once per type.</summary>
internal sealed class ContractDescriptorCache
{
    private readonly ConcurrentDictionary<Type, ContractDescriptor> _byType = new();

    public ContractDescriptor Get(Type type) => _byType.GetOrAdd(type, ContractDescriptor.For);

    public ContractDescriptor Get<T>() => Get(typeof(T));
}
