namespace QazBus.Schemas.Registry;

/// <summary>What the message log keeps of each message of a contract version.</summary>
public static class MessageLogging
{
    /// <summary>Headers and metadata only, never the body: the default, right for personal data.</summary>
    public const string MetadataOnly = "metadata-only";

    /// <summary>Metadata and the full body.</summary>
    public const string Full = "full";

    /// <summary>Every setting.</summary>
    public static IReadOnlyList<string> All { get; } = [MetadataOnly, Full];
}
