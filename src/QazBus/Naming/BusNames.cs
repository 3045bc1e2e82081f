using System.Text.RegularExpressions;

namespace QazBus.Naming;

/// <summary>
/// The one naming scheme of the bus: agency, system, contract, exchange and queue names.
/// </summary>
/// <remarks>
/// Every queue a system owns starts with <c>{agency}.{system}.</c>, so RabbitMQ permissions can be a prefix
/// regex per system. Contract exchanges are <c>{contract}.v{major}</c>. Nothing here uses .NET type names.
/// </remarks>
public static partial class BusNames
{
    /// <summary>Suffix of an endpoint's error queue: <c>{queue}_error</c>.</summary>
    public const string ErrorQueueSuffix = "_error";

    /// <summary>The endpoint name of a system's durable reply queue, <c>{agency}.{system}.replies</c>: answers to its asynchronous queries.</summary>
    public const string RepliesEndpoint = "replies";

    /// <summary>The pattern of a system id, <c>{agency}.{system}</c>.</summary>
    public const string SystemIdPattern = "^[a-z0-9-]+\\.[a-z0-9-]+$";

    [GeneratedRegex("^[a-z0-9-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentRegex();

    [GeneratedRegex(SystemIdPattern, RegexOptions.CultureInvariant)]
    private static partial Regex SystemIdRegex();

    [GeneratedRegex("^[a-z0-9-]+(\\.[a-z0-9-]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex ContractNameRegex();

    /// <summary>True when <paramref name="systemId"/> is <c>{agency}.{system}</c> in lowercase a-z, 0-9 and '-'.</summary>
    public static bool IsValidSystemId(string? systemId) => systemId is not null && SystemIdRegex().IsMatch(systemId);

    /// <summary>True when <paramref name="name"/> is a valid contract name: two or more dot-separated lowercase segments.</summary>
    public static bool IsValidContractName(string? name) => name is not null && ContractNameRegex().IsMatch(name);

    /// <summary>True when <paramref name="endpoint"/> is one lowercase segment: a-z, 0-9 and '-'.</summary>
    public static bool IsValidEndpointName(string? endpoint) => endpoint is not null && SegmentRegex().IsMatch(endpoint);

    /// <summary>The agency of a system id or contract name: its first segment.</summary>
    public static string AgencyOf(string systemIdOrContract)
    {
        ArgumentException.ThrowIfNullOrEmpty(systemIdOrContract);
        var dot = systemIdOrContract.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? systemIdOrContract : systemIdOrContract[..dot];
    }

    /// <summary>The exchange of a contract version: <c>{name}.v{major}</c>.</summary>
    public static string Exchange(string contractName, int majorVersion) => $"{contractName}.v{majorVersion}";

    /// <summary>The queue of an endpoint: <c>{agency}.{system}.{endpoint}</c>.</summary>
    public static string Queue(string systemId, string endpoint)
    {
        if (!IsValidSystemId(systemId))
        {
            throw new ArgumentException($"System id '{systemId}' is not '{{agency}}.{{system}}' in lowercase a-z, 0-9 and '-'.", nameof(systemId));
        }

        if (!IsValidEndpointName(endpoint))
        {
            throw new ArgumentException($"Endpoint name '{endpoint}' must be one lowercase segment of a-z, 0-9 and '-'.", nameof(endpoint));
        }

        return $"{systemId}.{endpoint}";
    }

    /// <summary>
    /// A system's durable reply queue, <c>{systemId}.replies</c>, and its fanout exchange of the same name: the
    /// <c>reply-to</c> of its asynchronous query requests.
    /// </summary>
    public static string ReplyQueue(string systemId) => Queue(systemId, RepliesEndpoint);

    /// <summary>The error queue of an endpoint queue: <c>{queue}_error</c>.</summary>
    public static string ErrorQueue(string queue) => queue + ErrorQueueSuffix;
}
