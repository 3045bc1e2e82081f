using System.Text.Json.Serialization;

namespace QazBus.Schemas.Registry;

/// <summary>
/// How a system proves who it is to the HTTP gateway: the client certificates (mutual TLS, the state PKI) and, for test
/// environments, the API keys registered for it. Only hashes are kept here: the registry is public within the bus.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistryGatewayAccess
{
    /// <summary>The client certificates the system may present, by the SHA-256 of their public key.</summary>
    public IReadOnlyList<RegistryClientCertificate> ClientCertificates { get; init; } = [];

    /// <summary>The API keys the system may present (test environments), by their SHA-256.</summary>
    public IReadOnlyList<RegistryApiKey> ApiKeys { get; init; } = [];
}

/// <summary>A client certificate of a system, named by its public key so a renewed certificate of the same key still fits.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistryClientCertificate
{
    /// <summary>A name for the certificate, unique within the system, for example <c>2026-12</c>.</summary>
    public required string Id { get; init; }

    /// <summary>SHA-256 of the certificate's DER SubjectPublicKeyInfo, 64 hexadecimal digits.</summary>
    public required string SpkiSha256 { get; init; }
}

/// <summary>An API key of a system; the key itself is given to the system's team, only its hash is registered.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistryApiKey
{
    /// <summary>A name for the key, unique within the system, for example <c>test-2026-12</c>.</summary>
    public required string Id { get; init; }

    /// <summary>SHA-256 of the key's UTF-8 text, 64 hexadecimal digits.</summary>
    public required string Sha256 { get; init; }
}
