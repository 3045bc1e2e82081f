using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PopulationRegistry;
using QazBus.Demo.Journey;
using QazBus.Observation;
using QazBus.Storage.Outbox;
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
        // Fresh databases for every run, removed after the hosts are disposed.
        await using var storage = new DemoStorage(arguments.PostgresConnectionString);
        return await RunHostsAsync(storage, cancellationToken);
    }

    private async Task<int> RunHostsAsync(DemoStorage storage, CancellationToken cancellationToken)
    {
        WriteHeader(storage);

        var journey = new JourneyObserver(output, Scenario.ExpectedMessages);

        // In memory, both hosts must share one broker; over RabbitMQ the broker is the server. Every message and
        // answer is signed and verified, by configuration alone (keys made for this run, trusted through the registry).
        var broker = arguments.RabbitMqUri is null ? new InMemoryBroker() : null;
        using var signing = new DemoSigning(Path.Combine(AppContext.BaseDirectory, "registry.json"));
        using var taxOffice = BuildHost(Scenario.TaxOfficeSystem, broker, journey, storage.Settings(Scenario.TaxOfficeSystem).Concat(signing.Settings(Scenario.TaxOfficeSystem)), builder => builder.AddTaxOffice());
        using var registry = BuildHost(Scenario.RegistrySystem, broker, journey, storage.Settings(Scenario.RegistrySystem).Concat(Scenario.RegistrySettings()).Concat(signing.Settings(Scenario.RegistrySystem)), builder =>
        {
            builder.AddPopulationRegistry();
            ObserveOutbox(builder.Services, journey, Scenario.RegistrySystem);
        });

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
        if (ending == Ending.AllHandled && !await ApplyAtTheTaxOfficeAsync(taxOffice, journey.Iins.Order(StringComparer.Ordinal).First(), cancellationToken))
        {
            ending = Ending.MessageFailed;
        }

        // The publisher first, then the subscriber, which finishes the messages it is handling. Only then the
        // report, so that no journey line comes after it.
        await StopAsync(registry);
        await StopAsync(taxOffice);
        return await ReportAsync(ending, journey, taxOffice.Services.GetRequiredService<TaxpayerRegister>());
    }

    // Two people apply at the tax office to be registered as taxpayers; for each, the tax office asks the registry
    // for the citizen card first: one of this run's citizens (a card) and an IIN the registry does not know (no-data).
    private async Task<bool> ApplyAtTheTaxOfficeAsync(IHost taxOffice, string knownIin, CancellationToken cancellationToken)
    {
        var applications = taxOffice.Services.GetRequiredService<TaxpayerApplications>();
        output.WriteLine();
        output.WriteLine($"Two people apply at {Scenario.TaxOfficeSystem}; it asks {Scenario.RegistrySystem} for each citizen card before opening a record:");
        try
        {
            var known = await applications.ApplyAsync(knownIin, cancellationToken);
            output.WriteLine($"  answer     a citizen card: taxpayer record {known?.ToString().ToLowerInvariant() ?? "not opened"}");
            var unknown = await applications.ApplyAsync(Scenario.UnknownIin, cancellationToken);
            output.WriteLine(unknown is null ? "  answer     no-data: no taxpayer record opened" : "  answer     a card, though the registry should not know this IIN");
            return known is not null && unknown is null;
        }
        catch (Exception ex) when (ex is QazBus.Queries.QueryRejectedException or TimeoutException)
        {
            output.WriteLine($"  answer     {ex.GetType().Name}: {ex.Message}");
            return false;
        }
    }

    // Wraps the registry's outbox so the journey shows the enqueue, inside the registry's transaction.
    private static void ObserveOutbox(IServiceCollection services, JourneyObserver journey, string system)
    {
        var original = services.Single(d => d.ServiceType == typeof(IOutbox));
        services.Remove(original);
        services.AddSingleton<IOutbox>(provider => new ObservedOutbox(
            original.ImplementationInstance as IOutbox
                ?? original.ImplementationFactory?.Invoke(provider) as IOutbox
                ?? (IOutbox)ActivatorUtilities.CreateInstance(provider, original.ImplementationType!),
            journey,
            system,
            provider.GetRequiredService<TimeProvider>()));
    }

    // The timeout runs from the last sign of progress, not from the start: over RabbitMQ the tax office's durable
    // queues may hold a backlog (earlier runs, the workers run alone, anyone publishing these contracts), and
    // handling it is progress; only a bus where nothing moves for the whole timeout gives up.
    private async Task<Ending> WaitForJourneyAsync(JourneyObserver journey, IHost taxOffice, IHost registry, CancellationToken cancellationToken)
    {
        var stopping = Task.WhenAny(WhenStopping(taxOffice), WhenStopping(registry));
        while (true)
        {
            var idle = arguments.Timeout - journey.SinceProgress;
            if (idle <= TimeSpan.Zero)
            {
                return Ending.TimedOut;
            }

            var waiting = Task.Delay(idle, cancellationToken);
            var first = await Task.WhenAny(journey.Completion, stopping, waiting);
            if (first == journey.Completion)
            {
                return await journey.Completion ? Ending.AllHandled : Ending.MessageFailed;
            }

            if (first == stopping)
            {
                return Ending.HostStopped;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return Ending.Interrupted;
            }
        }
    }

    private async Task<int> ReportAsync(Ending ending, JourneyObserver journey, TaxpayerRegister register)
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
            // Counted from the tax office's own table, written in the inbox's transactions.
            // Only this run's citizens: over RabbitMQ, messages left by earlier runs may have added rows as well.
            var all = await register.SnapshotAsync();
            var iins = journey.Iins;
            var taxpayers = all.Where(t => iins.Contains(t.Iin)).ToList();
            var named = taxpayers.Count(t => t.LastName is not null);
            var others = all.Count - taxpayers.Count;
            output.WriteLine(Invariant($"  effect     {Scenario.TaxOfficeSystem} table taxpayers: {named} of this run's {iins.Count} citizens named, {taxpayers.Count(t => t.RevenueDepartment is not null)} assigned to a regional department by address{(others > 0 ? $" (and {others} rows from earlier messages)" : string.Empty)}"));
            output.WriteLine();
            if (named >= Scenario.Citizens)
            {
                output.WriteLine("OK: every message was handled.");
                return ExitCodes.Success;
            }

            output.WriteLine(Invariant($"FAILED: every message was handled, but the taxpayers table names {named} of the {Scenario.Citizens} citizens registered."));
            return ExitCodes.ScenarioFailed;
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
                output.WriteLine($"FAILED: nothing moved for {arguments.Timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s while waiting for these messages:");
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

    private void WriteHeader(DemoStorage storage)
    {
        var bus = arguments.RabbitMqUri is { } uri
            ? $"RabbitMQ at {uri.Host}:{(uri.Port > 0 ? uri.Port : uri.Scheme == "amqps" ? 5671 : 5672).ToString(CultureInfo.InvariantCulture)}{uri.AbsolutePath}"
            : "an in-memory broker (one process, no servers)";
        output.WriteLine($"QazBus demo: two agencies on one bus, over {bus}; every message signed (ECDSA P-256) and verified against the registry's keys");
        output.WriteLine($"  {Scenario.RegistrySystem}  registers {Scenario.Citizens} citizens, then records {Scenario.AddressChanges} address changes");
        output.WriteLine($"                           each change and its message in one transaction: the citizens row and the outbox row");
        output.WriteLine($"  {Scenario.TaxOfficeSystem}           keeps its taxpayers table in step through its inbox, at endpoints '{TaxOfficeExtensions.CitizensEndpoint}' and '{TaxOfficeExtensions.AddressChangesEndpoint}'");
        output.WriteLine($"  tables in {storage.Description}");
        output.WriteLine();
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
