using System.Reflection;

namespace QazBus.Contracts;

/// <summary>Finds the <see cref="IUpcaster{TFrom,TTo}"/> implementations that lead to a contract version.</summary>
internal static class Upcasters
{
    /// <summary>
    /// Every older version that can reach <paramref name="target"/>, with the composed conversion, found in the
    /// target contract's assembly.
    /// </summary>
    public static IEnumerable<(ContractDescriptor Older, Func<object, object> Upcast)> Chain(ContractDescriptor target)
    {
        var upcasters = Discover(target.ClrType.Assembly);
        var found = new List<(ContractDescriptor, Func<object, object>)>();
        var frontier = new Queue<(Type To, Func<object, object> ToTarget)>();
        frontier.Enqueue((target.ClrType, static message => message));
        var seen = new HashSet<Type> { target.ClrType };
        while (frontier.Count > 0)
        {
            var (to, toTarget) = frontier.Dequeue();
            foreach (var upcaster in upcasters.Where(u => u.To == to))
            {
                if (!seen.Add(upcaster.From))
                {
                    continue;
                }

                var from = ContractDescriptor.For(upcaster.From);
                var toDescriptor = ContractDescriptor.For(to);
                if (from.Name != toDescriptor.Name || from.MajorVersion >= toDescriptor.MajorVersion)
                {
                    throw new InvalidOperationException(
                        $"Upcaster {upcaster.Type.FullName} converts '{from.Name}' v{from.MajorVersion} to '{toDescriptor.Name}' v{toDescriptor.MajorVersion}; an upcaster goes from an older to a newer version of the same contract.");
                }

                var step = upcaster.Convert;
                Func<object, object> composed = message => toTarget(step(message));
                found.Add((from, composed));
                frontier.Enqueue((upcaster.From, composed));
            }
        }

        return found;
    }

    private static List<UpcasterInfo> Discover(Assembly assembly)
    {
        var result = new List<UpcasterInfo>();
        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            foreach (var contract in type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IUpcaster<,>)))
            {
                var arguments = contract.GetGenericArguments();
                var instance = Activator.CreateInstance(type)
                    ?? throw new InvalidOperationException($"Upcaster {type.FullName} needs a public parameterless constructor.");
                var method = contract.GetMethod(nameof(IUpcaster<object, object>.Upcast))!;
                result.Add(new UpcasterInfo(type, arguments[0], arguments[1], message => method.Invoke(instance, [message])!));
            }
        }

        return result;
    }

    private sealed record UpcasterInfo(Type Type, Type From, Type To, Func<object, object> Convert);
}
