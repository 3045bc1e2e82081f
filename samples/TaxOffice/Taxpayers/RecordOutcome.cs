namespace TaxOffice.Taxpayers;

/// <summary>What recording an event did to the <see cref="TaxpayerRegister"/>.</summary>
public enum RecordOutcome
{
    /// <summary>A new taxpayer was added.</summary>
    Added,

    /// <summary>An existing taxpayer was updated.</summary>
    Updated,

    /// <summary>Nothing changed: the register already held this (a redelivered message, for example).</summary>
    Unchanged,

    /// <summary>Ignored: the register holds newer data than the event (it arrived late).</summary>
    Outdated,
}
