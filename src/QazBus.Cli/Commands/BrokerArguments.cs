using System.CommandLine;
using QazBus.Configuration;
using QazBus.Transport.RabbitMq;

namespace QazBus.Cli.Commands;

/// <summary>
/// The options that say how to reach the broker: its URI and TLS settings, each also read from the environment under
/// the key a QazBus host uses (<c>QazBus__RabbitMq__Tls__CaCertificatePath</c> …), so an operator's shell can share
/// the service's settings. The connection itself is opened the way every host opens it.
/// </summary>
internal sealed class BrokerArguments
{
    /// <summary>Where the URI comes from when --uri is not given.</summary>
    public const string UriVariable = "QAZBUS_RABBITMQ_URI";

    private const string TlsVariable = "QazBus__RabbitMq__Tls__";
    private const string TimeoutVariable = "QazBus__RabbitMq__ConnectTimeout";

    private readonly Option<string> _uri = new("--uri") { Description = $"The broker, amqp://user:password@host:5672/vhost or amqps://… for TLS. Default: {UriVariable}.", HelpName = "URI" };

    private readonly Option<string> _ca = new("--ca")
    {
        Description = $"amqps: the certificate authority (PEM or DER) to trust as the only root for the broker's certificate, e.g. the state CA. Default: {TlsVariable}CaCertificatePath.",
        HelpName = "PEM",
    };

    private readonly Option<string> _clientCertificate = new("--client-cert")
    {
        Description = $"amqps: a client certificate (PKCS#12) for mutual TLS. Default: {TlsVariable}ClientCertificatePath; its password from {TlsVariable}ClientCertificatePassword.",
        HelpName = "PFX",
    };

    private readonly Option<string> _serverName = new("--server-name")
    {
        Description = $"amqps: the name in the broker's certificate when it differs from the URI's host. Default: {TlsVariable}ServerName.",
        HelpName = "NAME",
    };

    private readonly Option<TimeSpan?> _connectTimeout = new("--connect-timeout")
    {
        Description = $"How long to keep trying while the broker does not answer (QazBus:RabbitMq:ConnectTimeout). Default: {TimeoutVariable}, else 00:00:10.",
        HelpName = "TIME",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_uri);
        command.Options.Add(_ca);
        command.Options.Add(_clientCertificate);
        command.Options.Add(_serverName);
        command.Options.Add(_connectTimeout);
    }

    /// <summary>True when a broker is named, by --uri or <see cref="UriVariable"/>: for commands whose broker checks are optional.</summary>
    public bool HasUri(ParseResult parse) => parse.GetValue(_uri) is not null || Environment.GetEnvironmentVariable(UriVariable) is { Length: > 0 };

    /// <summary>The broker settings from the command line, else the environment.</summary>
    public RabbitMqOptions Options(ParseResult parse)
    {
        var uri = parse.GetValue(_uri) ?? Environment.GetEnvironmentVariable(UriVariable)
            ?? throw CliException.Usage($"no broker: pass --uri or set {UriVariable}");
        // The bus's own parser, so the CLI accepts the cluster form amqp://user:password@rabbit-1,rabbit-2,rabbit-3/ too.
        if (!BrokerAddress.TryParse(uri, null, out var parsed, out _))
        {
            throw CliException.Usage("--uri is not an amqp:// or amqps:// URI (one host, or several separated by commas)");
        }

        var tls = new RabbitMqTlsOptions
        {
            CaCertificatePath = ExistingFile(parse.GetValue(_ca) ?? Environment.GetEnvironmentVariable(TlsVariable + "CaCertificatePath"), "--ca"),
            ClientCertificatePath = ExistingFile(parse.GetValue(_clientCertificate) ?? Environment.GetEnvironmentVariable(TlsVariable + "ClientCertificatePath"), "--client-cert"),
            // Only from the environment: a password on the command line ends up in the shell's history.
            ClientCertificatePassword = Environment.GetEnvironmentVariable(TlsVariable + "ClientCertificatePassword"),
            ServerName = parse.GetValue(_serverName) ?? Environment.GetEnvironmentVariable(TlsVariable + "ServerName"),
        };
        if (!parsed!.UsesTls && (tls.CaCertificatePath ?? tls.ClientCertificatePath ?? tls.ServerName) is not null)
        {
            throw CliException.Usage("TLS settings are given but the URI is amqp://: use amqps://");
        }

        return new RabbitMqOptions { Uri = uri, Tls = tls, ConnectTimeout = Timeout(parse.GetValue(_connectTimeout)) };
    }

    private static TimeSpan Timeout(TimeSpan? given)
    {
        var value = given ?? (Environment.GetEnvironmentVariable(TimeoutVariable) is { } text
            ? TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : throw CliException.Usage($"{TimeoutVariable} '{text}' is not a time span such as 00:00:10")
            : TimeSpan.FromSeconds(10));
        return value > TimeSpan.Zero ? value : throw CliException.Usage("--connect-timeout must be positive");
    }

    private static string? ExistingFile(string? path, string option) =>
        path is null || File.Exists(path) ? path : throw CliException.Usage($"{option}: {path} does not exist");
}
