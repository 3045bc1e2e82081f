using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Contracts;
using QazBus.Naming;
using QazBus.Telemetry;
using QazBus.Transport;
using QazBus.Validation;
using QazBus.Wire;

namespace QazBus.Publishing;

/// <summary>
/// The one place a contract becomes a wire message: ownership, deprecation and validation checks, JSON body,
/// CloudEvents headers, trace context. Used by direct publishing and by the outbox alike.
/// </summary>
internal sealed class OutgoingMessageFactory
{
    private readonly ContractDescriptorCache _catalog;
    private readonly DeprecationPolicy _deprecation;
    private readonly TimeProvider _time;
    private readonly Signing.MessageSigner _signer;
    private readonly string _system;
    private readonly string _agency;
    private readonly bool _allowDrafts;

    internal OutgoingMessageFactory(ContractDescriptorCache catalog, DeprecationPolicy deprecation, Signing.MessageSigner signer, IOptions<QazBusOptions> options, TimeProvider time)
    {
        _signer = signer;
        _catalog = catalog;
        _deprecation = deprecation;
        _time = time;
        _system = options.Value.System;
        _agency = BusNames.AgencyOf(options.Value.System);
        _allowDrafts = options.Value.AllowDraftContracts;
    }

    /// <summary>Checks <paramref name="contract"/> and builds its wire message.</summary>
    /// <param name="contract">The contract instance.</param>
    /// <param name="options">Optional id, correlation id and time.</param>
    /// <param name="activity">The span the message belongs to; its context goes into <c>traceparent</c>.</param>
    /// <exception cref="InvalidOperationException">
    /// This system's agency does not own the contract, its version passed its sunset, or it is a draft and
    /// <c>QazBus:AllowDraftContracts</c> is false.
    /// </exception>
    /// <exception cref="ContractValidationException">A field breaks the contract's rules; the exception names it.</exception>
    public OutgoingMessage Create(object contract, PublishOptions? options, Activity? activity) =>
        Create(contract, options, activity, extraHeaders: null, replyTo: null);

    /// <summary>
    /// Builds a query request or answer: <paramref name="extraHeaders"/> (deadline, request hash, status) are set
    /// before signing, so the signature covers them; <paramref name="replyTo"/> is the AMQP <c>reply-to</c>.
    /// </summary>
    internal OutgoingMessage Create(object contract, PublishOptions? options, Activity? activity, IEnumerable<KeyValuePair<string, string>>? extraHeaders, string? replyTo)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var descriptor = _catalog.Get(contract.GetType());
        // The gateway sends for the client system it authenticated; everyone else sends as this host's system.
        var system = SourceScope.Current?.System ?? _system;
        var agency = system == _system ? _agency : BusNames.AgencyOf(system);

        // Only the owner publishes a contract: a tax office cannot announce a citizen's registration. A query's
        // request is the exception: its approved requesters send it (the broker and the provider check the right).
        if (!descriptor.IsQuery && !Platform.MayPublish(agency, descriptor))
        {
            throw new InvalidOperationException(
                $"System '{system}' cannot publish contract '{descriptor.Name}' v{descriptor.MajorVersion}: only systems of agency '{descriptor.Owner}' publish it.");
        }

        // A draft's schema may still change under its consumers: it stays off any bus that did not opt in.
        if (descriptor.IsDraft && !_allowDrafts)
        {
            throw new InvalidOperationException(DraftContracts.Refusal($"System '{system}' cannot publish", descriptor));
        }

        _deprecation.OnPublish(descriptor);

        // Bad data is stopped at its source, not at the twelfth consumer.
        var violations = ContractValidator.Validate(contract);
        if (violations.Count > 0)
        {
            throw new ContractValidationException(descriptor.Name, descriptor.MajorVersion, violations);
        }

        byte[] body;
        try
        {
            body = JsonSerializer.SerializeToUtf8Bytes(contract, descriptor.ClrType, BusJson.Options);
        }
        catch (JsonException ex)
        {
            // A required (non-nullable) member set to null: name it the way the schema does.
            throw new ContractValidationException(descriptor.Name, descriptor.MajorVersion, [new ContractViolation(ex.Path ?? "$", ex.Message)]);
        }

        var messageId = options?.MessageId ?? Guid.CreateVersion7().ToString();
        var time = options?.Time ?? _time.GetUtcNow();
        var headers = new Dictionary<string, object?>(8, StringComparer.Ordinal)
        {
            [WireHeaders.SpecVersion] = WireHeaders.SpecVersionValue,
            [WireHeaders.Id] = messageId,
            [WireHeaders.Source] = system,
            [WireHeaders.Type] = descriptor.Name,
            [WireHeaders.Time] = HeaderText.Time(time),
            [WireHeaders.DataSchema] = descriptor.DataSchema,
        };
        if (extraHeaders is not null)
        {
            foreach (var (name, value) in extraHeaders)
            {
                headers[name] = value;
            }
        }

        TraceContext.Inject(activity, headers);
        _signer.Sign(headers, body);

        return new OutgoingMessage(descriptor, new TransportMessage
        {
            Body = body,
            Headers = headers,
            ContentType = WireHeaders.JsonContentType,
            MessageId = messageId,
            CorrelationId = options?.CorrelationId,
            ReplyTo = replyTo,
            Type = descriptor.Name,
            AppId = system,
            Timestamp = time,
        });
    }

    /// <summary>Starts the producer span of a contract's publish (or outbox enqueue).</summary>
    internal Activity? StartActivity(Type contractType, string operation, ActivityKind kind = ActivityKind.Producer)
    {
        var descriptor = _catalog.Get(contractType);
        var activity = QazBusDiagnostics.ActivitySource.StartActivity($"{descriptor.Exchange} {operation}", kind);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "rabbitmq");
            activity.SetTag("messaging.operation.type", operation == "enqueue" ? "create" : "send"); // semconv: an outbox row is created, sent later
            activity.SetTag("messaging.operation.name", operation);
            activity.SetTag("messaging.destination.name", descriptor.Exchange);
            activity.SetTag("qazbus.contract.name", descriptor.Name);
            activity.SetTag("qazbus.contract.version", descriptor.MajorVersion);
            activity.SetTag("qazbus.source", SourceScope.Current?.System ?? _system);
        }

        return activity;
    }
}
