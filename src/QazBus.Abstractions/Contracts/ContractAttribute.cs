namespace QazBus.Contracts;

/// <summary>
/// Declares a record as a QazBus contract: its wire name and major version, declared once.
/// </summary>
/// <remarks>
/// The name is <c>{owner-agency}.{domain}.{event}</c> in lowercase, for example
/// <c>mju.population.citizen-registered</c>. Its first segment is the owner agency: only systems of that
/// agency may publish the contract. The RabbitMQ exchange is <c>{name}.v{major}</c>. The .NET type name
/// never reaches the wire, so a contract type can be renamed or moved without breaking anyone.
/// </remarks>
/// <example>
/// <code>
/// [Contract("mju.population.citizen-registered", 1)]
/// public sealed record CitizenRegistered { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class ContractAttribute : Attribute
{
    /// <summary>Declares a contract with its wire name and major version.</summary>
    /// <param name="name">The contract name, <c>{agency}.{domain}.{event}</c>, lowercase.</param>
    /// <param name="majorVersion">The major version, 1 or more. A breaking change needs a new major version.</param>
    public ContractAttribute(string name, int majorVersion)
    {
        Name = name;
        MajorVersion = majorVersion;
    }

    /// <summary>The contract name, for example <c>mju.population.citizen-registered</c>.</summary>
    public string Name { get; }

    /// <summary>The major version; v1 and v2 of a contract are separate exchanges.</summary>
    public int MajorVersion { get; }
}
