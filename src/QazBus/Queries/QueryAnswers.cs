using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Naming;
using QazBus.Observation;
using QazBus.Pipeline;
using QazBus.Publishing;
using QazBus.Telemetry;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Queries;

/// <summary>
/// The provider's side of a query: checks the deadline and the requester's right, calls the query handler, and sends
/// the answer, a response or a rejection, to the request's <c>reply-to</c> with its status and request hash. A request
/// the pipeline dead-lettered (bad input, a forged sender, a handler that kept failing) is answered with a rejection
/// too: a requester never waits on silence.
/// </summary>
internal sealed partial class QueryAnswers(
    IBusTransport transport,
    OutgoingMessageFactory factory,
    MessageDispatcher dispatcher,
    IServiceProvider services,
    IOptions<QazBusOptions> options,
    TimeProvider time,
    ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("QazBus.Queries");
    private readonly string _system = options.Value.System;
    private IQueryAccessPolicy? _policy;

    /// <summary>Answers a checked request (the route's handler slot).</summary>
    public async Task AnswerAsync(ReceiveContext context, Func<IServiceProvider, object, QueryContext, CancellationToken, Task<object>> handler)
    {
        var envelope = context.Envelope!;
        var request = Read(context.Message, envelope.Id, envelope.Source, strict: true);
        context.RequestHash = request.Hash;

        var now = time.GetUtcNow();
        if (now > request.Deadline)
        {
            // Handling it now would answer a question nobody waits for any more (and may cost a registry lookup).
            context.Reason = QueryRejection.Expired;
            LogExpired(_logger, envelope.Id, envelope.Type, envelope.Version, envelope.Source, request.DeadlineText);
            await SendAsync(context, request, Rejection(QueryRejectionCode.Expired,
                $"The request's deadline {request.DeadlineText} passed before '{_system}' handled it ({HeaderText.Time(now)}); it was not handled.", envelope.Type, envelope.Version)).ConfigureAwait(false);
            return;
        }

        // The provider's own check, after the broker's: the registry's approved requesters of this query version.
        _policy ??= services.GetRequiredService<IQueryAccessPolicy>();
        if (!_policy.MayAsk(envelope.Source, envelope.Type, envelope.Version))
        {
            context.Reason = QueryRejection.AccessDenied;
            LogAccessDenied(_logger, envelope.Id, envelope.Type, envelope.Version, envelope.Source);
            await SendAsync(context, request, Rejection(QueryRejectionCode.AccessDenied,
                $"System '{envelope.Source}' is not an approved requester of query '{envelope.Type}' v{envelope.Version} in the registry.", envelope.Type, envelope.Version)).ConfigureAwait(false);
            return;
        }

        var query = new QueryContext
        {
            RequestId = envelope.Id,
            Requester = envelope.Source,
            Query = envelope.Type,
            Version = envelope.Version,
            Time = envelope.Time,
            Deadline = request.Deadline,
            RequestHash = request.Hash,
            CorrelationId = context.Message.CorrelationId,
            Attempt = context.Attempt,
        };

        object answer;
        try
        {
            answer = await handler(context.Services!, context.Contract!, query, context.CancellationToken).ConfigureAwait(false);
        }
        catch (QueryRejectedException rejected)
        {
            context.Reason = QueryRejection.Text(rejected.Code);
            answer = Rejection(rejected.Code, rejected.Message, envelope.Type, envelope.Version);
        }

        await SendAsync(context, request, answer).ConfigureAwait(false);
    }

    /// <summary>Answers a request the pipeline dead-lettered with the rejection its reason calls for; never throws.</summary>
    public async Task RejectDeadLetteredAsync(ReceiveContext context)
    {
        var message = context.Message;
        var id = context.Envelope?.Id ?? message.GetHeader(WireHeaders.Id) ?? message.MessageId;
        var source = context.Envelope?.Source ?? message.GetHeader(WireHeaders.Source);
        if (id is null || source is null || !IsReplyAddressOf(message.ReplyTo, source))
        {
            LogCannotAnswer(_logger, context.MessageId, context.Endpoint.Queue, message.ReplyTo);
            return;
        }

        var code = context.Reason switch
        {
            RejectReason.SignatureMissing or RejectReason.SignatureInvalid or RejectReason.SignatureExpired or RejectReason.SenderNotOwner => QueryRejectionCode.AccessDenied,
            RejectReason.HandlerFailed or RejectReason.DeliveryLimit => QueryRejectionCode.Failure,
            _ => QueryRejectionCode.InvalidRequest,
        };

        // Bad input is named (the field, the header); a handler's own exception text stays in the error queue.
        var text = code == QueryRejectionCode.Failure
            ? $"'{_system}' failed to answer (reason {context.Reason}); the request is in its error queue."
            : $"{context.Reason}: {context.Failure?.Message}";
        try
        {
            var request = Read(message, id, source, strict: false);
            context.RequestHash = request.Hash;
            await SendAsync(context, request, Rejection(code, text, context.Envelope?.Type ?? message.GetHeader(WireHeaders.Type), context.Envelope?.Version)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The request is already in the error queue; a failed answer is logged, the requester times out.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogAnswerFailed(_logger, ex, id, message.ReplyTo);
        }
    }

    private static QueryRejected Rejection(QueryRejectionCode code, string message, string? query, int? version) =>
        new() { Code = QueryRejection.Text(code), Message = message, Query = query, Version = version };

    private async Task SendAsync(ReceiveContext context, Request request, object answer)
    {
        var status = answer is QueryRejected rejected ? rejected.Code : QueryRejection.Ok;
        using var activity = factory.StartActivity(answer.GetType(), "answer");
        var outgoing = factory.Create(
            answer,
            new PublishOptions { MessageId = AnswerId(request.Id), CorrelationId = request.Id },
            activity,
            [new(WireHeaders.QueryStatus, status), new(WireHeaders.Query, request.DataSchema), new(WireHeaders.RequestHash, request.Hash)],
            replyTo: null);
        activity?.SetTag("messaging.message.id", outgoing.MessageId);
        activity?.SetTag("messaging.message.conversation_id", request.Id);
        activity?.SetTag("qazbus.query.status", status);
        await transport.SendReplyAsync(request.ReplyTo, outgoing.Message, context.CancellationToken).ConfigureAwait(false);
        await dispatcher.RecordPublishedAsync(outgoing, request.ReplyTo, request.Hash, status == QueryRejection.Ok ? null : status, context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The answer's id is derived from the request's, so an answer sent twice (a request delivered again after a
    /// crash) has one id, and the requester's inbox keeps one effect.
    /// </summary>
    internal static string AnswerId(string requestId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("qazbus-answer\n" + requestId), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // UUID version 8: name-derived, custom hash
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true).ToString();
    }

    /// <summary>An answer may go only to the requester's own reply queue or to direct reply-to: never into a contract exchange.</summary>
    private static bool IsReplyAddressOf(string? replyTo, string requester) =>
        replyTo is { Length: > 0 }
        && (replyTo.StartsWith(WireHeaders.DirectReplyTo, StringComparison.Ordinal)
            || (BusNames.IsValidSystemId(requester) && replyTo == BusNames.ReplyQueue(requester)));

    private static Request Read(TransportMessage message, string id, string source, bool strict)
    {
        var replyTo = message.ReplyTo;
        if (!IsReplyAddressOf(replyTo, source))
        {
            throw new MessageRejectedException(replyTo is null ? RejectReason.MissingHeader : RejectReason.InvalidHeader,
                replyTo is null
                    ? "A query request needs the AMQP property 'reply-to': 'amq.rabbitmq.reply-to' (direct reply-to) or the requester's reply queue."
                    : $"AMQP 'reply-to' is '{replyTo}'; a query's answer goes to '{WireHeaders.DirectReplyTo}' or to '{(BusNames.IsValidSystemId(source) ? BusNames.ReplyQueue(source) : "{requester}.replies")}', the requester's reply queue.");
        }

        var deadlineText = message.GetHeader(WireHeaders.Deadline);
        var dataSchema = message.GetHeader(WireHeaders.DataSchema) ?? string.Empty;
        var timeText = message.GetHeader(WireHeaders.Time) ?? string.Empty;
        var deadline = DateTimeOffset.MaxValue;
        if (strict)
        {
            if (string.IsNullOrWhiteSpace(deadlineText))
            {
                throw new MessageRejectedException(RejectReason.MissingHeader,
                    $"Required header '{WireHeaders.Deadline}' is missing or empty: a query request carries its end of life (RFC 3339).");
            }

            if (!DateTimeOffset.TryParse(deadlineText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out deadline))
            {
                throw new MessageRejectedException(RejectReason.InvalidHeader,
                    $"Header '{WireHeaders.Deadline}' is '{deadlineText}'; it must be an RFC 3339 timestamp such as 2026-12-03T10:00:30Z.");
            }
        }

        var hash = RequestHash.Compute(id, source, dataSchema, timeText, deadlineText ?? string.Empty, message.Body.Span);
        return new Request(id, dataSchema, deadlineText ?? string.Empty, deadline, replyTo!, hash);
    }

    private sealed record Request(string Id, string DataSchema, string DeadlineText, DateTimeOffset Deadline, string ReplyTo, string Hash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Query request {RequestId} ({Query} v{Version} from {Requester}) expired at {Deadline} before it was handled: not handled, answered 'expired'")]
    private static partial void LogExpired(ILogger logger, string requestId, string query, int version, string requester, string deadline);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Query request {RequestId} ({Query} v{Version}) from {Requester}, who is not an approved requester in the registry: answered 'access-denied'")]
    private static partial void LogAccessDenied(ILogger logger, string requestId, string query, int version, string requester);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered query request {RequestId} at {Endpoint} cannot be answered: its reply-to '{ReplyTo}' is missing or not the requester's")]
    private static partial void LogCannotAnswer(ILogger logger, string requestId, string endpoint, string? replyTo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The rejection of dead-lettered query request {RequestId} could not be sent to '{ReplyTo}'; the requester will time out")]
    private static partial void LogAnswerFailed(ILogger logger, Exception exception, string requestId, string? replyTo);
}
