namespace QazBus.Signing;

/// <summary>The <c>QazBus:Signing</c> section.</summary>
public sealed class SigningOptions
{
    /// <summary>Off (development), Sign (sign what is sent; verify signed messages, accept unsigned: for migration), or Required (production).</summary>
    public SigningMode Mode { get; set; } = SigningMode.Off;

    /// <summary>The id of this system's signing key among its keys in the registry (its <c>publicKeys[].id</c>), for example <c>2026-11</c>; receivers look it up under the message's source system.</summary>
    public string? KeyId { get; set; }

    /// <summary>Path of this system's private key (PKCS#8 PEM). Mount it as a secret; never put the key in source control.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>The oldest a received message's time may be. Messages wait in queues and error queues: default 7 days.</summary>
    public TimeSpan MaxMessageAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How far in the future a received message's time may be (clock skew). Default 5 minutes.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>How a system signs and verifies.</summary>
public enum SigningMode
{
    /// <summary>Nothing is signed or verified.</summary>
    Off,

    /// <summary>Outgoing messages are signed; incoming signatures are checked when present; unsigned messages are accepted.</summary>
    Sign,

    /// <summary>Outgoing messages are signed; incoming messages must carry a valid signature.</summary>
    Required,
}
