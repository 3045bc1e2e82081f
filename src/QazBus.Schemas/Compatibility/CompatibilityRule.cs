namespace QazBus.Schemas.Compatibility;

/// <summary>
/// The rules of the compatibility gate. Within a major version a contract may only change in ways that neither
/// the consumers already subscribed to it nor the messages already published under it can notice.
/// </summary>
/// <remarks>
/// Breaking rules fail <c>qazbus contracts check</c>: such a change needs a new major version, published side by
/// side with the old one. The other rules are reported so that reviewers see them, and pass.
/// </remarks>
public enum CompatibilityRule
{
    /// <summary>Breaking: a field disappeared (a rename shows as a removal plus an addition).</summary>
    FieldRemoved,

    /// <summary>Breaking: a new field is required, so messages written to the old schema are now invalid.</summary>
    RequiredFieldAdded,

    /// <summary>Breaking: an optional field became required, so messages that leave it out are now invalid.</summary>
    FieldBecameRequired,

    /// <summary>Breaking: a required field became optional, so consumers relying on it may no longer get it.</summary>
    FieldNoLongerRequired,

    /// <summary>Breaking: the JSON type changed, for example string to integer or object to array.</summary>
    TypeChanged,

    /// <summary>Breaking: a format was added to a plain string, for example <c>date</c>.</summary>
    FormatAdded,

    /// <summary>Breaking: the format changed, for example <c>date</c> to <c>date-time</c>.</summary>
    FormatChanged,

    /// <summary>Breaking: the format was dropped, so consumers that parse the value (as a date, say) may fail.</summary>
    FormatRemoved,

    /// <summary>Breaking: <c>null</c> was allowed and no longer is, so old messages holding null are now invalid.</summary>
    NullNoLongerAllowed,

    /// <summary>
    /// Breaking: <c>null</c> is now allowed, so consumers written to the promise "never null" receive one
    /// (a QazBus consumer respects nullable annotations and would dead-letter the message).
    /// </summary>
    NullNowAllowed,

    /// <summary>Breaking: an enum lost a value, so old messages holding it are now invalid.</summary>
    EnumValueRemoved,

    /// <summary>Breaking: a free value was restricted to a fixed list of values.</summary>
    EnumIntroduced,

    /// <summary>Breaking: a pattern was added to a string.</summary>
    PatternAdded,

    /// <summary>Breaking: a string's pattern changed.</summary>
    PatternChanged,

    /// <summary>Breaking: a limit was added or tightened: maxLength lowered, minLength raised, and so on.</summary>
    LimitTightened,

    /// <summary>Breaking: unknown fields were allowed and no longer are.</summary>
    AdditionalPropertiesClosed,

    /// <summary>Breaking: the alternatives of <c>anyOf</c>, <c>oneOf</c>, <c>allOf</c> or <c>not</c> changed.</summary>
    CompositionChanged,

    /// <summary>Compatible: a new optional field.</summary>
    OptionalFieldAdded,

    /// <summary>
    /// Compatible by the rules of the bus: an enum gained a value. Consumers must tolerate values they do not
    /// know (map them to a fallback) for this to hold, so the finding says so.
    /// </summary>
    EnumValueAdded,

    /// <summary>Compatible: a fixed list of values was lifted.</summary>
    EnumLifted,

    /// <summary>Compatible: a pattern was removed.</summary>
    PatternRemoved,

    /// <summary>Compatible: a limit was raised, lowered or removed so that more values are valid.</summary>
    LimitRelaxed,

    /// <summary>Compatible: a description was added, changed or removed.</summary>
    DescriptionChanged,

    /// <summary>Compatible: a field was marked as personal data (<c>x-qazbus-personal-data</c>); documentation only.</summary>
    PersonalDataMarked,

    /// <summary>
    /// Compatible, but worth a reviewer's look: a field lost its personal-data mark. The wire does not change,
    /// but the catalog and the agencies' data-protection reviews rely on the mark, so it must be deliberate.
    /// </summary>
    PersonalDataUnmarked,

    /// <summary>Compatible: the version was deprecated, its sunset date moved, or the deprecation was lifted.</summary>
    DeprecationChanged,

    /// <summary>Gate: a contract in code has no committed schema yet (a new contract: run <c>--update</c>).</summary>
    BaselineMissing,

    /// <summary>Breaking: a committed schema has no contract in code: a published contract version disappeared.</summary>
    ContractRemoved,

    /// <summary>Gate: a committed schema file cannot be read or is not named <c>{name}.v{major}.schema.json</c>.</summary>
    BaselineUnreadable,

    /// <summary>
    /// Compatible: the version's <c>[ContractDraft]</c> mark was removed, so it is published with this schema; from now
    /// on the gate's normal rules apply to it.
    /// </summary>
    DraftPublished,

    /// <summary>
    /// Breaking: a published version was marked <c>[ContractDraft]</c> again, which would let its schema change under
    /// the consumers already built on it. Add a new major version as a draft instead.
    /// </summary>
    DraftReopened,
}
