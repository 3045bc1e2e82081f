using System.Text.Json.Serialization;

namespace QazBus.Schemas.Registry;

/// <summary>A public key a system signs messages with.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegistryPublicKey
{
    /// <summary>The key id, unique within the system, for example <c>2026-01</c>: a message names the key it was signed with.</summary>
    public required string Id { get; init; }

    /// <summary>The algorithm: one of <see cref="PublicKeyAlgorithms.All"/>.</summary>
    public required string Algorithm { get; init; }

    /// <summary>The key as Base64 of its DER-encoded SubjectPublicKeyInfo (a PEM body on one line).</summary>
    public required string Key { get; init; }

    /// <summary>The last day the key is valid, if it expires.</summary>
    public DateOnly? NotAfter { get; init; }
}
