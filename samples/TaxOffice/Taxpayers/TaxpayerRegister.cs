using QazBus.Contracts.Population;

namespace TaxOffice.Taxpayers;

/// <summary>
/// The tax office's register of taxpayers: in memory in this sample, the tax office's database in production.
/// </summary>
/// <remarks>
/// Delivery is at least once and two queues feed the register in no particular order, so every update is
/// idempotent (recording the same event twice changes nothing) and commutative (a registration may arrive after
/// the address change, an older address after a newer one). Handlers run concurrently: one lock keeps each
/// update atomic.
/// </remarks>
public sealed class TaxpayerRegister
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Taxpayer> _taxpayers = new(StringComparer.Ordinal);

    /// <summary>How many taxpayers the register holds.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _taxpayers.Count;
            }
        }
    }

    /// <summary>A copy of the register, ordered by IIN.</summary>
    public IReadOnlyList<Taxpayer> Snapshot()
    {
        lock (_gate)
        {
            return _taxpayers.Values.OrderBy(t => t.Iin, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Records a citizen's registration: their name and date of birth.</summary>
    public RecordOutcome RecordCitizen(string iin, string lastName, string firstName, string? patronymic, DateOnly birthDate)
    {
        lock (_gate)
        {
            var registered = _taxpayers.TryGetValue(iin, out var current);
            var updated = (current ?? new Taxpayer { Iin = iin }) with
            {
                LastName = lastName,
                FirstName = firstName,
                Patronymic = patronymic,
                BirthDate = birthDate,
            };
            if (updated == current)
            {
                return RecordOutcome.Unchanged;
            }

            _taxpayers[iin] = updated;
            return registered ? RecordOutcome.Updated : RecordOutcome.Added;
        }
    }

    /// <summary>
    /// Records an address valid from <paramref name="validFrom"/>, unless a later one is already recorded. Changes
    /// valid from the same day are ordered by <paramref name="changedAt"/>, when the registry recorded them.
    /// </summary>
    public RecordOutcome RecordAddress(string iin, Address address, DateOnly validFrom, DateTimeOffset changedAt)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_gate)
        {
            if (!_taxpayers.TryGetValue(iin, out var current))
            {
                // The address change overtook the registration (another queue): keep it, the name follows.
                _taxpayers[iin] = new Taxpayer { Iin = iin, Address = address, AddressValidFrom = validFrom, AddressChangedAt = changedAt };
                return RecordOutcome.Added;
            }

            if (current is { AddressValidFrom: { } knownFrom, AddressChangedAt: { } knownAt })
            {
                var order = (validFrom, changedAt).CompareTo((knownFrom, knownAt));
                if (order < 0)
                {
                    return RecordOutcome.Outdated;
                }

                if (order == 0 && current.Address == address)
                {
                    return RecordOutcome.Unchanged;
                }
            }

            _taxpayers[iin] = current with { Address = address, AddressValidFrom = validFrom, AddressChangedAt = changedAt };
            return RecordOutcome.Updated;
        }
    }
}
