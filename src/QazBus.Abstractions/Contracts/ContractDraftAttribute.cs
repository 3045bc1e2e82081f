namespace QazBus.Contracts;

/// <summary>
/// Marks a contract version as a draft: under review, not yet published. Until the mark is removed,
/// <c>qazbus contracts check --update</c> may rewrite its committed schema even when a change would break a
/// published version, and the registry lists the version as <c>draft</c>.
/// </summary>
/// <remarks>
/// A draft never reaches a production bus by accident: publishing it, or starting a handler for it, fails unless
/// <c>QazBus:AllowDraftContracts</c> is true (set it in development and test environments only). Removing the mark
/// publishes the version: from then on the compatibility gate applies its normal rules, and a version once published
/// cannot be marked draft again (add a new major version as a draft instead).
/// </remarks>
/// <example>
/// <code>
/// [Contract("mtszn.benefits.benefit-granted", 1)]
/// [ContractDraft]
/// public sealed record BenefitGranted { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class ContractDraftAttribute : Attribute;
