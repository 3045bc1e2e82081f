namespace QazBus.Contracts;

/// <summary>The platform itself as a contract owner.</summary>
internal static class Platform
{
    /// <summary>
    /// The agency code of the platform. Its contracts (faults, operator events) are published by every system,
    /// each about itself; every other contract only by systems of its owner agency.
    /// </summary>
    public const string Agency = "qazbus";

    public static bool MayPublish(string senderAgency, ContractDescriptor contract) =>
        string.Equals(contract.Owner, senderAgency, StringComparison.Ordinal)
        || string.Equals(contract.Owner, Agency, StringComparison.Ordinal);
}
