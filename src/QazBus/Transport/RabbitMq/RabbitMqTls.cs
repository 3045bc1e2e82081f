using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using QazBus.Configuration;
using RabbitMQ.Client;

namespace QazBus.Transport.RabbitMq;

/// <summary>
/// TLS to the broker. An <c>amqps://</c> URI turns TLS on (the client checks the server's certificate against the
/// host name); <c>QazBus:RabbitMq:Tls</c> adds a client certificate (mutual TLS, so the broker can authenticate the
/// system by certificate) and a private certificate authority for the state's own PKI.
/// </summary>
internal static class RabbitMqTls
{
    /// <summary>Sets TLS for one broker node; nothing when <paramref name="ssl"/> is not enabled (<c>amqp://</c>).</summary>
    /// <param name="ssl">The node's TLS settings, enabled by an <c>amqps://</c> URI, its server name the node's host.</param>
    /// <param name="tls">The <c>QazBus:RabbitMq:Tls</c> settings.</param>
    /// <param name="authority">The private root of <see cref="RabbitMqTlsOptions.CaCertificatePath"/>, loaded once; null: the machine's roots.</param>
    /// <param name="rejected">Told why the broker's certificate was refused, for the failure message.</param>
    public static void Configure(SslOption ssl, RabbitMqTlsOptions tls, X509Certificate2? authority, Action<string> rejected)
    {
        if (!ssl.Enabled)
        {
            return; // amqp://: plain TCP (development, or TLS terminated by a sidecar)
        }

        ssl.Version = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
        if (tls.ServerName is { Length: > 0 } serverName)
        {
            ssl.ServerName = serverName;
        }

        if (tls.ClientCertificatePath is { Length: > 0 } certificatePath)
        {
            ssl.CertPath = certificatePath;
            ssl.CertPassphrase = tls.ClientCertificatePassword;
        }

        ssl.CertificateValidationCallback = (_, certificate, _, errors) =>
        {
            var refusal = authority is null ? SystemRefusal(errors) : RefusalBy(authority, certificate, errors);
            if (refusal is not null)
            {
                rejected(refusal);
            }

            return refusal is null;
        };
    }

    /// <summary>Loads the private root of <paramref name="tls"/>, or null when none is configured.</summary>
    public static X509Certificate2? LoadAuthority(RabbitMqTlsOptions tls) =>
        tls.CaCertificatePath is { Length: > 0 } caPath ? X509CertificateLoader.LoadCertificateFromFile(caPath) : null;

    // No authority configured: the machine's roots decide, as SslStream would without a callback.
    private static string? SystemRefusal(SslPolicyErrors errors) => errors == SslPolicyErrors.None ? null : Describe(errors);

    // Only the configured authority is trusted as root; the host name must still match. Null: trusted.
    private static string? RefusalBy(X509Certificate2 authority, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return Describe(errors & ~SslPolicyErrors.RemoteCertificateChainErrors);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server)
            ? null
            : $"'{server.Subject}' issued by '{server.Issuer}' does not chain to '{authority.Subject}' ({string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))})";
    }

    private static string Describe(SslPolicyErrors errors) => errors switch
    {
        SslPolicyErrors.RemoteCertificateNameMismatch => "the name in the certificate does not match the host (set QazBus:RabbitMq:Tls:ServerName when they differ)",
        SslPolicyErrors.RemoteCertificateNotAvailable => "the broker sent no certificate",
        _ => errors.ToString(),
    };
}
