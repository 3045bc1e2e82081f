using QazBus.Contracts;
using QazBus.Schemas;

namespace QazBus.Gateway.Contracts;

/// <summary>
/// The contract versions the gateway can carry: those declared in code (the records of <c>QazBus.Contracts</c>, with
/// their rules) that the registry lists. The record is how a body is checked, exactly as an SDK publisher's is.
/// </summary>
internal sealed class GatewayContracts
{
    private readonly Dictionary<(string Name, int Version), ContractDescriptor> _byName;

    public GatewayContracts()
    {
        _byName = ContractDiscovery.FindContracts(typeof(QazBus.Contracts.Population.AddressChanged).Assembly)
            .ToDictionary(c => (c.Name, c.MajorVersion));
    }

    /// <summary>The contract version, or null when there is no record of it in code.</summary>
    public ContractDescriptor? Find(string name, int version) => _byName.GetValueOrDefault((name, version));
}
