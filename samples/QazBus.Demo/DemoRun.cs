using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PopulationRegistry;
using QazBus.Demo.Journey;
using QazBus.Observation;
using QazBus.Transport.InMemory;
using TaxOffice;
using TaxOffice.Taxpayers;

namespace QazBus.Demo;

/// <summary>
/// One run of the scenario: builds both agencies' hosts with their own <c>Add*</c> extensions, starts them,
/// waits until every message was handled, stops them and reports.
/// </summary>
internal sealed class DemoRun(DemoArguments arguments, TextWriter output)
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    // Fail fast in a demo: a wrong URI should not keep the user waiting the SDK's default 60 s.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private enum Ending
    {
        AllHandled,
        MessageFailed,
        HostStopped,
        TimedOut,
        Interrupted,
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        WriteHeader();

        var journey = new JourneyObserver(output, Scenario.ExpectedMessages);

        // In memory, both hosts must share one broker; over RabbitMQ the broker is the server.
        var broker = arguments.RabbitMqUri is null ? new InMemoryBroker() : null;
        using var taxOffice = BuildHost(Scenario.TaxOfficeSystem, broker, journey, [], builder => builder.AddTaxOffice());
        using var registry = BuildHost(Scenario.RegistrySystem, broker, journey, Scenario.RegistrySettings(), builder => builder.AddPopulationRegistry());

        // The subscriber first: its queues must exist and be bound before the first publish, or the exchange
        // drops the message, exactly as RabbitMQ does with a message no queue is bound for.
        if (!await TryStartAsync(taxOffice, Scenario.TaxOfficeSystem, cancellationToken))
        {
            return NotStarted(cancellationToken);
        }

        if (!await TryStartAsync(registry, Scenario.RegistrySystem, cancellationToken))
        {
            await StopAsync(taxOffice);
            return NotStarted(cancellationToken);
        }

        var ending = await WaitForJourneyAsync(journey, taxOffice, registry, cancellationToken);

        // The publisher first, then the subscriber, which finishes the messages it is handling. Only then the
        // report, so that no journey line comes after it.
        await StopAsync(registry);
        await StopAsync(taxOffice);
        return Report(ending, journey, taxOffice.Services.GetRequiredService<TaxpayerRegister>());
    }

    private async Task<Ending> WaitForJourneyAsync(JourneyObserver journey, IHost taxOffice, IHost registry, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(arguments.Timeout);
        var waiting = Task.Delay(Timeout.Infinite, timeout.Token);
        var stopping = Task.WhenAny(WhenStopping(taxOffice), WhenStopping(registry));

        var first = await Task.WhenAny(journey.Completion, stopping, waiting);
        if (first == journey.Completion)
        {
            return await journey.Completion ? Ending.AllHandled : Ending.MessageFailed;
        }

        if (first == stopping)
        {
            return Ending.HostStopped;
        }

        return cancellationToken.IsCancellationRequested ? Ending.Interrupted : Ending.TimedOut;
    }

    private int Report(Ending ending, JourneyObserver journey, TaxpayerRegister register)
    {
        output.WriteLine();
        if (ending == Ending.Interrupted)
        {
            output.WriteLine("Interrupted.");
            return ExitCodes.Interrupted;
        }

        journey.WriteSummary();
        if (ending == Ending.AllHandled)
        {
            var taxpayers = register.Snapshot();
            output.WriteLine($"  effect     {Scenario.TaxOfficeSystem} register holds {taxpayers.Count} taxpayers, {taxpayers.Count(t => t.RevenueDepartment is not null)} assigned to a regional department by address");
            output.WriteLine();
            output.WriteLine("OK: every message was handled.");
            return ExitCodes.Success;
        }

        output.WriteLine();
        switch (ending)
        {
            case Ending.MessageFailed:
                output.WriteLine("FAILED: a message went to an error queue; the log above says why.");
                break;
            case Ending.HostStopped:
                output.WriteLine("FAILED: a host stopped before every message was handled; the log above says why.");
                break;
            default:
                output.WriteLine($"FAILED: timed out after {arguments.Timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s waiting for these messages:");
                journey.WriteMissing();
                break;
        }

        return ExitCodes.ScenarioFailed;
    }

    private IHost BuildHost(
        string system,
        InMemoryBroker? broker,
        JourneyObserver journey,
        IEnumerable<KeyValuePair<string, string?>> settings,
        Action<IHostApplicationBuilder> addAgency)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // No appsettings.json, environment variables or command line: the demo behaves the same wherever it
            // runs, even in a shell where QazBus__* variables are set for the standalone workers.
            DisableDefaults = true,
            ApplicationName = system,
        });
        builder.Configuration.AddInMemoryCollection(BusSettings(system).Concat(settings));

        // Only warnings and errors: the journey lines are the demo's output.
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);

        // What the default host does in Development: catch registration mistakes at build, not on first use.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();

        if (broker is not null)
        {
            // Before AddQazBus (inside addAgency): the bus adds its own broker only when none is registered.
            builder.Services.AddSingleton(broker);
        }

        // The same observer in both hosts: it sees the publish in one and the outcome in the other.
        builder.Services.AddSingleton<IMessageObserver>(journey);
        addAgency(builder);
        return builder.Build();
    }

    private IEnumerable<KeyValuePair<string, string?>> BusSettings(string system) =>
        arguments.RabbitMqUri is { } uri
            ?
            [
                new("QazBus:System", system),
                new("QazBus:Transport", "RabbitMq"),
                new("QazBus:RabbitMq:Uri", uri.OriginalString),
                new("QazBus:RabbitMq:ConnectTimeout", ConnectTimeout.ToString("c", CultureInfo.InvariantCulture)),
            ]
            :
            [
                new("QazBus:System", system),
                new("QazBus:Transport", "InMemory"),
            ];

    private async Task<bool> TryStartAsync(IHost host, string system, CancellationToken cancellationToken)
    {
        try
        {
            await host.StartAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            // Settings rejected at start, or the broker did not answer within the connect timeout.
            output.WriteLine($"FAILED: {system} did not start: {ex.Message}");
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private int NotStarted(CancellationToken cancellationToken)
    {
        if (!cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.ScenarioFailed;
        }

        output.WriteLine("Interrupted.");
        return ExitCodes.Interrupted;
    }

    private static async Task StopAsync(IHost host)
    {
        using var stopping = new CancellationTokenSource(StopTimeout);
        await host.StopAsync(stopping.Token);
    }

    private static Task WhenStopping(IHost host)
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        return stopping.Task;
    }

    private void WriteHeader()
    {
        var bus = arguments.RabbitMqUri is { } uri
            ? $"RabbitMQ at {uri.Host}:{(uri.Port > 0 ? uri.Port : uri.Scheme == "amqps" ? 5671 : 5672).ToString(CultureInfo.InvariantCulture)}{uri.AbsolutePath}"
            : "an in-memory broker (one process, no servers)";
        output.WriteLine($"QazBus demo: two agencies on one bus, over {bus}");
        output.WriteLine($"  {Scenario.RegistrySystem}  registers {Scenario.Citizens} citizens, then records {Scenario.AddressChanges} address changes");
        output.WriteLine($"  {Scenario.TaxOfficeSystem}           keeps its taxpayer register in step, at endpoints '{TaxOfficeExtensions.CitizensEndpoint}' and '{TaxOfficeExtensions.AddressChangesEndpoint}'");
        output.WriteLine();
    }
}
