using QazBus.Configuration;

namespace QazBus.Contracts;

/// <summary>
/// Keeps draft contract versions (<see cref="ContractDraftAttribute"/>) off buses that did not opt in with
/// <c>QazBus:AllowDraftContracts</c>: publishing one and handling one are refused with the same message.
/// </summary>
internal static class DraftContracts
{
    /// <summary>The setting that lets a system use drafts.</summary>
    public const string SettingKey = QazBusOptions.SectionName + ":AllowDraftContracts";

    /// <summary>Why <paramref name="action"/> (<c>System 'x' cannot publish</c>) is refused for <paramref name="contract"/>.</summary>
    public static string Refusal(string action, ContractDescriptor contract) =>
        $"{action} contract '{contract.Name}' v{contract.MajorVersion}: it is a draft ([ContractDraft] on {contract.ClrType.Name}) and {SettingKey} is false. " +
        $"Drafts are for development and test buses: set {SettingKey}=true there; to use it in production, publish the version " +
        "(remove [ContractDraft], run 'qazbus contracts check --update' and mark it active in the registry).";
}
