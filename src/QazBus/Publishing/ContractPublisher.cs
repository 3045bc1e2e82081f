using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Contracts;
using QazBus.Naming;
using QazBus.Telemetry;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Publishing;

/// <summary>Turns a contract into a wire message (JSON body, CloudEvents headers) and publishes it with confirms.</summary>
internal sealed class ContractPublisher(
    IBusTransport transport,
    ContractCatalog catalog,
    IOptions<QazBusOptions> options,
    TimeProvider timeProvider) : IContractPublisher
{
    private readonly string _system = options.Value.System;
    private readonly string _agency = BusNames.AgencyOf(options.Value.System);
    private readonly ConcurrentDictionary<string, Task> _declaredExchanges = new(StringComparer.Ordinal);

    public async Task<string> PublishAsync<TContract>(TContract message, PublishOptions? publishOptions = null, CancellationToken cancellationToken = default)
        where TContract : class
    {
        ArgumentNullException.ThrowIfNull(message);
        var contract = catalog.Get(message.GetType());

        // Only the owner publishes a contract: a tax office cannot announce a citizen's registration.
        if (!string.Equals(contract.Owner, _agency, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"System '{_system}' cannot publish contract '{contract.Name}' v{contract.MajorVersion}: only systems of agency '{contract.Owner}' publish it.");
        }

        var messageId = publishOptions?.MessageId ?? Guid.CreateVersion7().ToString();
        var time = publishOptions?.Time ?? timeProvider.GetUtcNow();
        var body = JsonSerializer.SerializeToUtf8Bytes(message, contract.ClrType, BusJson.Options);

        using var activity = QazBusDiagnostics.ActivitySource.StartActivity($"{contract.Exchange} publish", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "rabbitmq");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.destination.name", contract.Exchange);
            activity.SetTag("messaging.message.id", messageId);
            activity.SetTag("messaging.message.body.size", body.Length);
            activity.SetTag("qazbus.contract.name", contract.Name);
            activity.SetTag("qazbus.contract.version", contract.MajorVersion);
            activity.SetTag("qazbus.source", _system);
        }

        var headers = new Dictionary<string, object?>(8, StringComparer.Ordinal)
        {
            [WireHeaders.SpecVersion] = WireHeaders.SpecVersionValue,
            [WireHeaders.Id] = messageId,
            [WireHeaders.Source] = _system,
            [WireHeaders.Type] = contract.Name,
            [WireHeaders.Time] = time.ToString("O", CultureInfo.InvariantCulture),
            [WireHeaders.DataSchema] = contract.DataSchema,
        };
        TraceContext.Inject(activity, headers);

        var wire = new TransportMessage
        {
            Body = body,
            Headers = headers,
            ContentType = WireHeaders.JsonContentType,
            MessageId = messageId,
            CorrelationId = publishOptions?.CorrelationId,
            Type = contract.Name,
            AppId = _system,
            Timestamp = time,
        };

        await EnsureExchangeAsync(contract.Exchange, cancellationToken).ConfigureAwait(false);
        await transport.PublishAsync(contract.Exchange, wire, cancellationToken).ConfigureAwait(false);

        QazBusDiagnostics.Published.Add(1,
            new KeyValuePair<string, object?>("qazbus.contract.name", contract.Name),
            new KeyValuePair<string, object?>("qazbus.contract.version", contract.MajorVersion));
        return messageId;
    }

    // The owner declares its contract exchanges, once per process; declaring is idempotent on the broker.
    private Task EnsureExchangeAsync(string exchange, CancellationToken cancellationToken)
    {
        var task = _declaredExchanges.GetOrAdd(exchange, name => transport.DeclareExchangeAsync(name, CancellationToken.None));
        if (task.IsFaulted || task.IsCanceled)
        {
            _declaredExchanges.TryRemove(new KeyValuePair<string, Task>(exchange, task));
        }

        return task.WaitAsync(cancellationToken);
    }
}
