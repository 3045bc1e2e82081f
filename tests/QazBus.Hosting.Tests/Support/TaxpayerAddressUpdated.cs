using System.ComponentModel.DataAnnotations;
using QazBus.Contracts;

namespace QazBus.Hosting.Tests.Support;

/// <summary>
/// A contract of the State Revenue Committee, for the second hop: the tax office tells others that a taxpayer's
/// address changed in its register. Test-only; kgd owns it, so only kgd systems publish it.
/// </summary>
[Contract("kgd.taxpayer.address-updated", 1)]
public sealed record TaxpayerAddressUpdated
{
    [RegularExpression(@"^\d{12}$")]
    public required string Iin { get; init; }

    [StringLength(100, MinimumLength = 1)]
    public required string Locality { get; init; }
}
