using System.Globalization;
using Microsoft.Extensions.Logging;
using QazBus.Contracts.Population;
using QazBus.Publishing;

namespace PopulationRegistry.Register;

/// <summary>
/// The registry's records of citizens (in memory in this sample; the registry's database in production) and the
/// events it announces on the bus when they change.
/// </summary>
/// <remarks>
/// The record is written first and the event published after. A crash between the two loses the event; the
/// QazBus outbox closes that gap by storing the message in the same database transaction as the record.
/// </remarks>
internal sealed partial class PopulationRegister(
    IContractPublisher publisher,
    TimeProvider time,
    ILogger<PopulationRegister> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Citizen> _citizens = new(StringComparer.Ordinal);
    private int _lastCaseNumber;

    /// <summary>Registers a citizen and publishes <see cref="CitizenRegisteredV2"/>.</summary>
    /// <remarks>
    /// v2 is the current version of <c>mju.population.citizen-registered</c>; v1 is deprecated, and publishing it
    /// fails after its sunset date. Subscribers move first: a v2 handler receives v1 too (the bus upcasts it),
    /// while a v1 handler never sees v2, so the registry switches once its subscribers handle v2.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The IIN is already registered.</exception>
    public async Task RegisterAsync(Citizen citizen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        lock (_gate)
        {
            if (!_citizens.TryAdd(citizen.Iin, citizen))
            {
                // Never echo the IIN: exception messages end up in logs, and an IIN is personal data.
                throw new InvalidOperationException("A citizen with this IIN is already registered.");
            }
        }

        var now = time.GetUtcNow();
        var caseNumber = NextCaseNumber(now);
        var messageId = await publisher.PublishAsync(
            new CitizenRegisteredV2
            {
                Iin = citizen.Iin,
                LastName = citizen.LastName,
                FirstName = citizen.FirstName,
                Patronymic = citizen.Patronymic,
                BirthDate = citizen.BirthDate,
                RegisteredAt = now,
            },
            new PublishOptions { CorrelationId = caseNumber },
            cancellationToken);
        LogRegistered(logger, caseNumber, citizen.Address.Region, messageId);
    }

    /// <summary>
    /// Records that a citizen moved and publishes <see cref="AddressChanged"/>. Nothing is published when the
    /// address is the one already registered: subscribers hear of changes only.
    /// </summary>
    /// <returns>True when the address changed and the event was published.</returns>
    /// <exception cref="KeyNotFoundException">No citizen has this IIN.</exception>
    public async Task<bool> ChangeAddressAsync(string iin, Address newAddress, DateOnly validFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newAddress);
        lock (_gate)
        {
            var citizen = Find(iin);
            if (citizen.Address == newAddress)
            {
                return false;
            }

            _citizens[iin] = citizen with { Address = newAddress };
        }

        var caseNumber = NextCaseNumber(time.GetUtcNow());
        var messageId = await publisher.PublishAsync(
            new AddressChanged { Iin = iin, NewAddress = newAddress, ValidFrom = validFrom },
            new PublishOptions { CorrelationId = caseNumber },
            cancellationToken);
        LogAddressChanged(logger, caseNumber, newAddress.Region, messageId);
        return true;
    }

    /// <summary>The registered address of a citizen.</summary>
    /// <exception cref="KeyNotFoundException">No citizen has this IIN.</exception>
    public Address AddressOf(string iin)
    {
        lock (_gate)
        {
            return Find(iin).Address;
        }
    }

    private Citizen Find(string iin) =>
        _citizens.TryGetValue(iin, out var citizen) ? citizen : throw new KeyNotFoundException("No citizen with this IIN is registered.");

    // The correlation id is the registry's case number, so operators can follow one case across agencies
    // without putting personal data (the IIN) into message properties.
    private string NextCaseNumber(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"PR-{now:yyyyMMdd}-{Interlocked.Increment(ref _lastCaseNumber):D6}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseNumber}: citizen registered in {Region}; published CitizenRegisteredV2 {MessageId}")]
    private static partial void LogRegistered(ILogger logger, string caseNumber, string region, string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseNumber}: citizen moved to {Region}; published AddressChanged {MessageId}")]
    private static partial void LogAddressChanged(ILogger logger, string caseNumber, string region, string messageId);
}
