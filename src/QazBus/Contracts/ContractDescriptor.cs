using System.Reflection;
using QazBus.Naming;

namespace QazBus.Contracts;

/// <summary>A contract version as the bus sees it: name, major version, owner agency, exchange and CLR type.</summary>
public sealed record ContractDescriptor
{
    private ContractDescriptor(Type clrType, string name, int majorVersion, ContractDeprecatedAttribute? deprecated, bool isDraft)
    {
        IsDraft = isDraft;
        Sunset = deprecated?.Sunset;
        Replacement = deprecated?.Replacement;
        ClrType = clrType;
        Name = name;
        MajorVersion = majorVersion;
        Owner = BusNames.AgencyOf(name);
        Exchange = BusNames.Exchange(name, majorVersion);
        DataSchema = DataSchemaUri(name, majorVersion);
        ResponseType = clrType.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Queries.IQuery<>))?
            .GetGenericArguments()[0];
    }

    /// <summary>The record type.</summary>
    public Type ClrType { get; }

    /// <summary>The contract name, for example <c>mju.population.citizen-registered</c>.</summary>
    public string Name { get; }

    /// <summary>The major version.</summary>
    public int MajorVersion { get; }

    /// <summary>The owner agency: the first segment of the name. Only its systems publish the contract.</summary>
    public string Owner { get; }

    /// <summary>The RabbitMQ exchange, <c>{name}.v{major}</c>.</summary>
    public string Exchange { get; }

    /// <summary>The CloudEvents <c>dataschema</c> value naming this contract version.</summary>
    public string DataSchema { get; }

    /// <summary>For the request of a query (a record implementing <c>IQuery&lt;TResponse&gt;</c>): the response record; otherwise null.</summary>
    public Type? ResponseType { get; }

    /// <summary>True for the request contract of a query: its approved requesters publish it, its owner answers it.</summary>
    public bool IsQuery => ResponseType is not null;

    /// <summary>
    /// True when the record is marked <see cref="ContractDraftAttribute"/>: the version is under review, its schema may
    /// still change, and it is published or handled only where <c>QazBus:AllowDraftContracts</c> is true.
    /// </summary>
    public bool IsDraft { get; }

    /// <summary>The last day this version may be published, when it is deprecated.</summary>
    public DateOnly? Sunset { get; }

    /// <summary>What to use instead, when deprecated.</summary>
    public string? Replacement { get; }

    /// <summary>The CloudEvents <c>dataschema</c> of a contract version: <c>urn:qazbus:contract:{name}:v{major}</c>.</summary>
    public static string DataSchemaUri(string name, int majorVersion) => $"{Wire.IncomingEnvelope.DataSchemaPrefix}{name}:v{majorVersion}";

    /// <summary>Reads the <see cref="ContractAttribute"/> of <paramref name="type"/>.</summary>
    /// <exception cref="InvalidOperationException">The type has no attribute, its name or version is invalid, or it is marked both draft and deprecated.</exception>
    public static ContractDescriptor For(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var attribute = type.GetCustomAttribute<ContractAttribute>()
            ?? throw new InvalidOperationException(
                $"Type {type.FullName} is not a QazBus contract: mark it with [Contract(\"agency.domain.event\", majorVersion)].");

        if (!BusNames.IsValidContractName(attribute.Name))
        {
            throw new InvalidOperationException(
                $"Contract name '{attribute.Name}' on {type.FullName} is invalid: use '{{agency}}.{{domain}}.{{event}}' in lowercase a-z, 0-9 and '-'.");
        }

        if (attribute.MajorVersion < 1)
        {
            throw new InvalidOperationException(
                $"Contract '{attribute.Name}' on {type.FullName} has major version {attribute.MajorVersion}; versions start at 1.");
        }

        var deprecated = type.GetCustomAttribute<ContractDeprecatedAttribute>();
        var isDraft = type.IsDefined(typeof(ContractDraftAttribute), inherit: false);
        if (isDraft && deprecated is not null)
        {
            // A draft was never published, so nobody can be moving off it: the two marks contradict each other.
            throw new InvalidOperationException(
                $"Contract '{attribute.Name}' v{attribute.MajorVersion} on {type.FullName} is marked both [ContractDraft] and [ContractDeprecated]: a draft was never published; remove one of them.");
        }

        return new ContractDescriptor(type, attribute.Name, attribute.MajorVersion, deprecated, isDraft);
    }
}
