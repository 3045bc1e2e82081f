using QazBus.Configuration;

namespace QazBus.Transport.RabbitMq;

/// <summary>One node of the broker: a host and its AMQP port.</summary>
internal readonly record struct BrokerNode(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>
/// Where the broker is: the one parser of <c>QazBus:RabbitMq:Uri</c> and <c>QazBus:RabbitMq:Nodes</c>, used by the
/// options validator, the connection factory (<see cref="BrokerConnections"/>) and the CLI, so a URI that one
/// accepts the others accept too.
/// </summary>
/// <remarks>
/// A cluster is named in the URI as several hosts, <c>amqp://user:password@rabbit-1:5672,rabbit-2:5672,rabbit-3/vhost</c>
/// (the form RabbitMQ's Java and Go clients and MassTransit accept), or as one host in the URI plus more in
/// <c>Nodes</c>. System.Uri cannot parse several hosts, so the authority is split here and the first host is put
/// back into a one-host URI for the credentials, vhost and TLS; every node shares them.
/// </remarks>
internal sealed class BrokerAddress
{
    private const string Key = QazBusOptions.SectionName + ":RabbitMq";

    private BrokerAddress(Uri first, IReadOnlyList<BrokerNode> nodes)
    {
        FirstNodeUri = first;
        Nodes = nodes;
    }

    /// <summary>A one-host URI with the credentials, vhost and scheme: what <c>ConnectionFactory.Uri</c> takes.</summary>
    public Uri FirstNodeUri { get; }

    /// <summary>Every node, in the order given, without repeats.</summary>
    public IReadOnlyList<BrokerNode> Nodes { get; }

    /// <summary>True for <c>amqps://</c>.</summary>
    public bool UsesTls => FirstNodeUri.Scheme == "amqps";

    /// <summary>The nodes for messages, never the password: <c>rabbit-1:5672, rabbit-2:5672</c>.</summary>
    public string Describe() => string.Join(", ", Nodes);

    /// <summary>Parses <paramref name="uri"/> and the extra <paramref name="nodes"/>.</summary>
    /// <param name="uri">The <c>Uri</c> setting.</param>
    /// <param name="nodes">The <c>Nodes</c> setting: <c>host</c> or <c>host:port</c> each.</param>
    /// <param name="address">The address when the settings are valid.</param>
    /// <param name="error">What is wrong, naming the setting and never echoing the URI (it holds the password).</param>
    public static bool TryParse(string? uri, IEnumerable<string>? nodes, out BrokerAddress? address, out string? error)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(uri))
        {
            error = $"{Key}:Uri is required, for example 'amqp://user:password@host:5672/'.";
            return false;
        }

        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? uri[..schemeEnd] : string.Empty;
        if (scheme is not ("amqp" or "amqps"))
        {
            error = $"{Key}:Uri is not an absolute amqp:// or amqps:// URI.";
            return false;
        }

        var authorityStart = schemeEnd + 3;
        var authorityEnd = uri.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = uri.Length;
        }

        var authority = uri[authorityStart..authorityEnd];
        var at = authority.LastIndexOf('@');
        var userInfo = at >= 0 ? authority[..(at + 1)] : string.Empty;
        var hosts = authority[(at + 1)..].Split(',', StringSplitOptions.TrimEntries);
        if (!System.Uri.TryCreate($"{scheme}://{userInfo}{hosts[0]}{uri[authorityEnd..]}", UriKind.Absolute, out var first) || first.Host.Length == 0)
        {
            error = $"{Key}:Uri is not an absolute amqp:// or amqps:// URI.";
            return false;
        }

        var defaultPort = scheme == "amqps" ? 5671 : 5672;
        var all = new List<BrokerNode>();
        var candidates = hosts.Select((host, i) => (Text: host, Setting: i == 0 ? $"{Key}:Uri" : $"{Key}:Uri (host {i + 1})"))
            .Concat((nodes ?? []).Select((node, i) => (Text: node?.Trim() ?? string.Empty, Setting: $"{Key}:Nodes:{i}")));
        foreach (var (text, setting) in candidates)
        {
            if (!TryParseNode(scheme, text, defaultPort, out var node))
            {
                // The text is a host (after the '@'), never the credentials, so it can be shown.
                error = text.Length == 0 ? $"{setting} names an empty host." : $"{setting} is not a host or host:port: '{text}'.";
                return false;
            }

            if (!all.Contains(node))
            {
                all.Add(node);
            }
        }

        address = new BrokerAddress(first, all);
        error = null;
        return true;
    }

    /// <summary>Parses <paramref name="options"/>' URI and nodes, or throws.</summary>
    /// <exception cref="ArgumentException">The settings are not valid; the message says which one.</exception>
    public static BrokerAddress Parse(RabbitMqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TryParse(options.Uri, options.Nodes, out var address, out var error)
            ? address!
            : throw new ArgumentException(error, nameof(options));
    }

    private static bool TryParseNode(string scheme, string text, int defaultPort, out BrokerNode node)
    {
        node = default;
        if (text.Length == 0 || text.IndexOfAny(['/', '?', '#', '@', ' ']) >= 0
            || !System.Uri.TryCreate($"{scheme}://{text}", UriKind.Absolute, out var parsed) || parsed.Host.Length == 0)
        {
            return false;
        }

        // IdnHost: an IPv6 literal without its brackets, which is what a socket wants.
        node = new BrokerNode(parsed.IdnHost.Trim('[', ']'), parsed.IsDefaultPort || parsed.Port < 0 ? defaultPort : parsed.Port);
        return true;
    }
}
