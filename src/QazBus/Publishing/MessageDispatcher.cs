using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Observation;
using QazBus.Telemetry;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Publishing;

/// <summary>
/// Sends a prepared <see cref="OutgoingMessage"/>: declares its exchange once, publishes with confirms, counts it
/// and tells the observers (message log). Used by direct publishing and by the outbox relay alike.
/// </summary>
internal sealed class MessageDispatcher
{
    private readonly IBusTransport _transport;
    private readonly IMessageObserver[] _observers;
    private readonly TimeProvider _time;
    private readonly string _system;
    private readonly ConcurrentDictionary<string, Task> _declaredExchanges = new(StringComparer.Ordinal);

    internal MessageDispatcher(IBusTransport transport, IEnumerable<IMessageObserver> observers, IOptions<QazBusOptions> options, TimeProvider time)
    {
        _transport = transport;
        _observers = observers.ToArray();
        _time = time;
        _system = options.Value.System;
    }

    /// <summary>Publishes and completes when the broker confirmed the message and the observers recorded it.</summary>
    public async Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await EnsureExchangeAsync(message.Exchange, cancellationToken).ConfigureAwait(false);
        await _transport.PublishAsync(message.Exchange, message.Message, cancellationToken).ConfigureAwait(false);
        await RecordPublishedAsync(message, message.Exchange, requestHash: null, reason: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Counts a message the broker confirmed and tells the observers (the message log): for every publish, and for a
    /// query's request and answer, which travel by their own channel and address.
    /// </summary>
    /// <param name="message">The confirmed message.</param>
    /// <param name="destination">The exchange or reply address it went to.</param>
    /// <param name="requestHash">For a query's request and answer: the request hash.</param>
    /// <param name="reason">For a rejection: its code.</param>
    /// <param name="cancellationToken">Cancels the observers' work.</param>
    internal async ValueTask RecordPublishedAsync(OutgoingMessage message, string destination, string? requestHash, string? reason, CancellationToken cancellationToken)
    {
        QazBusDiagnostics.Published.Add(1,
            new KeyValuePair<string, object?>("qazbus.contract.name", message.Contract.Name),
            new KeyValuePair<string, object?>("qazbus.contract.version", message.Contract.MajorVersion));
        if (_observers.Length == 0)
        {
            return;
        }

        var record = new MessageRecord
        {
            MessageId = message.MessageId,
            Contract = message.Contract.Name,
            Version = message.Contract.MajorVersion,
            Source = _system,
            Destination = destination,
            System = _system,
            CorrelationId = message.Message.CorrelationId,
            TraceParent = message.Message.GetHeader(WireHeaders.TraceParent),
            Outcome = MessageOutcome.Published,
            Reason = reason,
            Time = _time.GetUtcNow(),
            RequestHash = requestHash,
            Body = message.Message.Body,
        };
        foreach (var observer in _observers)
        {
            await observer.OnPublishedAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }

    // The owner declares its contract exchanges, once per process; declaring is idempotent on the broker. (Under
    // managed topology the transport declares nothing: the exchanges come from the registry's definitions.)
    internal Task EnsureExchangeAsync(string exchange, CancellationToken cancellationToken)
    {
        var task = _declaredExchanges.GetOrAdd(exchange, name => _transport.DeclareExchangeAsync(name, CancellationToken.None));
        if (task.IsFaulted || task.IsCanceled)
        {
            _declaredExchanges.TryRemove(new KeyValuePair<string, Task>(exchange, task));
        }

        return task.WaitAsync(cancellationToken);
    }
}
