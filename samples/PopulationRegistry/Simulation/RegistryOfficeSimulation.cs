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
    // A failed transaction is not caught here: the exception stops the host (the .NET default), loudly. A broker
    // that is away is no failure: the events wait in the outbox and the relay sends them when it is back.
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
            if (!await register.RegisterAsync(citizen, stoppingToken))
            {
                // The story is the same every run, and the database outlives the worker.
                LogAlreadyRegistered(logger, i + 1);
            }

            registered.Add(citizen.Iin);
        }

        for (var i = 0; i < settings.AddressChanges; i++)
        {
            await Task.Delay(settings.Interval, time, stoppingToken);
            var iin = registered[i % registered.Count];
            var validFrom = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var current = await register.AddressOfAsync(iin, stoppingToken);
            await register.ChangeAddressAsync(iin, SampleCitizens.MovedAddress(current, i), validFrom, stoppingToken);
        }

        LogFinished(logger, settings.Citizens, settings.AddressChanges);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Citizen {Number} of the story is registered already (by an earlier run): nothing to announce")]
    private static partial void LogAlreadyRegistered(ILogger logger, int number);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registry office simulation finished: {Citizens} citizens registered, {AddressChanges} address changes; the worker stays up until stopped")]
    private static partial void LogFinished(ILogger logger, int citizens, int addressChanges);
}
