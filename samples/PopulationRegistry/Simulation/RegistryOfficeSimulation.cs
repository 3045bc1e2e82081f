using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PopulationRegistry.Register;

namespace PopulationRegistry.Simulation;

/// <summary>
/// Stands in for the registry office's clerks: registers citizens, then records some of them moving house. In a
/// real adapter, the registry's own application calls <see cref="PopulationRegister"/> instead.
/// </summary>
internal sealed partial class RegistryOfficeSimulation(
    PopulationRegister register,
    IOptions<PopulationRegistryOptions> options,
    TimeProvider time,
    ILogger<RegistryOfficeSimulation> logger) : BackgroundService
{
    // A failed publish is not caught here: the exception stops the host (the .NET default), loudly, rather than
    // letting the registry run on while the bus no longer hears of its changes.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var registered = new List<string>(settings.Citizens);
        for (var i = 0; i < settings.Citizens; i++)
        {
            if (i > 0)
            {
                await Task.Delay(settings.Interval, time, stoppingToken);
            }

            var citizen = SampleCitizens.Citizen(i);
            await register.RegisterAsync(citizen, stoppingToken);
            registered.Add(citizen.Iin);
        }

        for (var i = 0; i < settings.AddressChanges; i++)
        {
            await Task.Delay(settings.Interval, time, stoppingToken);
            var iin = registered[i % registered.Count];
            var validFrom = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            await register.ChangeAddressAsync(iin, SampleCitizens.MovedAddress(register.AddressOf(iin), i), validFrom, stoppingToken);
        }

        LogFinished(logger, settings.Citizens, settings.AddressChanges);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registry office simulation finished: {Citizens} citizens registered, {AddressChanges} address changes; the worker stays up until stopped")]
    private static partial void LogFinished(ILogger logger, int citizens, int addressChanges);
}
