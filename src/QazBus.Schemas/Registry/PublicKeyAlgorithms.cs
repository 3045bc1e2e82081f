namespace QazBus.Schemas.Registry;

/// <summary>The public key algorithms a system may register.</summary>
public static class PublicKeyAlgorithms
{
    /// <summary>ECDSA on the NIST P-256 curve.</summary>
    public const string EcdsaP256 = "ecdsa-p256";

    /// <summary>ECDSA on the NIST P-384 curve.</summary>
    public const string EcdsaP384 = "ecdsa-p384";

    /// <summary>RSA, 2048 bits or more.</summary>
    public const string Rsa = "rsa";

    /// <summary>Every algorithm.</summary>
    public static IReadOnlyList<string> All { get; } = [EcdsaP256, EcdsaP384, Rsa];
}
