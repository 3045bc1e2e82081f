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
    public static void Configure(ConnectionFactory factory, RabbitMqTlsOptions tls)
    {
        if (!factory.Ssl.Enabled)
        {
            return; // amqp://: plain TCP (development, or TLS terminated by a sidecar)
        }

        factory.Ssl.Version = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
        if (tls.ServerName is { Length: > 0 } serverName)
        {
            factory.Ssl.ServerName = serverName;
        }

        if (tls.ClientCertificatePath is { Length: > 0 } certificatePath)
        {
            factory.Ssl.CertPath = certificatePath;
            factory.Ssl.CertPassphrase = tls.ClientCertificatePassword;
        }

        if (tls.CaCertificatePath is { Length: > 0 } caPath)
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(caPath);
            factory.Ssl.CertificateValidationCallback = (_, certificate, _, errors) => TrustedBy(authority, certificate, errors);
        }
    }

    // Only the configured authority is trusted as root; the host name must still match.
    private static bool TrustedBy(X509Certificate2 authority, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }
}
