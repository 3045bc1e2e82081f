namespace QazBus.Schemas.Compatibility;

/// <summary>How a contract version stands against its committed schema.</summary>
public enum BaselineStatus
{
    /// <summary>The committed schema is exactly what the code generates.</summary>
    UpToDate,

    /// <summary>The code changed compatibly (or only the schema's form did); <c>--update</c> publishes the change.</summary>
    CompatibleChange,

    /// <summary>The code changed in a way that breaks consumers: a new major version is needed.</summary>
    Breaking,

    /// <summary>The contract has no committed schema yet; <c>--update</c> commits it.</summary>
    Missing,

    /// <summary>A committed schema has no contract in code: a published contract version disappeared.</summary>
    Removed,

    /// <summary>The committed schema file cannot be read, or its name is not <c>{name}.v{major}.schema.json</c>.</summary>
    Unreadable,

    /// <summary>
    /// A draft version (<c>[ContractDraft]</c>, committed as a draft) changed, possibly in a way that would break a
    /// published version: allowed until it is published; <c>--update</c> rewrites its committed schema.
    /// </summary>
    DraftChange,
}
