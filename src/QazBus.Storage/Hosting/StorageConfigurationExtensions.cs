using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QazBus.Runtime;
using QazBus.Observation;
using QazBus.Pipeline;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;
using QazBus.Storage.Inbox;
using QazBus.Storage.MessageLog;
using QazBus.Storage.Outbox;
using QazBus.Storage.Retention;
using QazBus.Storage.Schema;

// Registration extensions live in the namespace of what they extend, so they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Adds QazBus storage to a bus: <c>builder.AddQazBus().AddStorage()</c>.</summary>
public static class StorageConfigurationExtensions
{
    /// <summary>
    /// Adds the transactional outbox (<see cref="IOutbox"/>) and its relay, the inbox consume filter
    /// (<see cref="IInboxTransaction"/> for handlers), the message log (an observer of every message, and
    /// <see cref="MessageLogReader"/>) and the retention job, configured from the <c>QazBus:Storage</c> section.
    /// Business code that writes to the same database opens its connections from <see cref="StorageDatabase"/>.
    /// The tables are created or upgraded while the host starts. Options are validated at start-up: a missing or bad
    /// value stops the host with a message naming the key.
    /// </summary>
    /// <param name="bus">The bus from <c>AddQazBus()</c>.</param>
    /// <param name="configure">Changes applied after the configuration section is bound, for example in tests.</param>
    /// <example>
    /// <code>
    /// builder.AddQazBus()
    ///        .AddHandler&lt;CitizenRegisteredV2, CitizenRegisteredHandler&gt;("citizens")
    ///        .AddStorage(); // "QazBus:Storage": { "Provider": "Postgres", "ConnectionString": "…" }
    /// </code>
    /// </example>
    public static QazBusBuilder AddStorage(this QazBusBuilder bus, Action<StorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var services = bus.Services;
        var options = services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // Calling AddStorage twice only adds the second configure action.
        if (services.Any(d => d.ServiceType == typeof(StorageDatabase)))
        {
            return bus;
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, ConnectionBudgetValidator>());

        // One bounded pool per storage database and process, sized from the concurrency it serves (ConnectionBudget).
        services.AddSingleton(provider => new StorageDatabase(
            provider.GetRequiredService<IOptions<StorageOptions>>().Value,
            ConnectionBudget.PoolSize(
                provider.GetRequiredService<IOptions<StorageOptions>>().Value,
                provider.GetRequiredService<IOptions<QazBus.Configuration.QazBusOptions>>().Value,
                provider.GetRequiredService<QazBus.Runtime.BusEndpoints>().All.Count)));
        services.AddSingleton<SchemaGate>();
        services.AddSingleton<IHostedService, SchemaInitializer>();

        // Outbox and relay.
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<ContractTypes>();
        services.AddSingleton<QazBus.Observation.IOutboxBacklogProbe>(provider => new OutboxBacklogProbe(
            provider.GetRequiredService<StorageDatabase>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider =>
        {
            var database = provider.GetRequiredService<StorageDatabase>();
            return database.Dialect.CreateOutboxStore(database, provider.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IOutbox, QazBus.Storage.Outbox.Outbox>();
        services.AddHostedService<OutboxRelay>();

        // Inbox: a consume filter around every handler, and its transaction for handlers.
        services.AddSingleton<InboxStore>();
        services.AddScoped<InboxTransaction>();
        services.AddScoped<IInboxTransaction>(provider => provider.GetRequiredService<InboxTransaction>());
        bus.AddConsumeFilter<InboxFilter>();

        // Message log: an observer of every message sent and received, and its reader.
        services.AddSingleton(provider =>
        {
            var database = provider.GetRequiredService<StorageDatabase>();
            return database.Dialect.CreateMessageLogStore(database);
        });
        services.AddSingleton<MessageLogWriter>();
        services.AddSingleton<IMessageObserver>(provider => provider.GetRequiredService<MessageLogWriter>());
        services.AddSingleton(provider => new MessageLogReader(
            provider.GetRequiredService<StorageDatabase>(),
            provider.GetRequiredService<MessageLogStore>()));

        services.AddHostedService<RetentionService>();
        services.TryAddSingleton(TimeProvider.System);
        return bus;
    }
}
