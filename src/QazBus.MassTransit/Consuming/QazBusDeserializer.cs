using System.Diagnostics.CodeAnalysis;
using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;
using QazBus.MassTransit.Publishing;
using QazBus.Wire;
using MtReceiveContext = MassTransit.ReceiveContext;

namespace QazBus.MassTransit.Consuming;

/// <summary>
/// Gives MassTransit the contract the SDK's pipeline already read, checked and upcast, as exactly one message type:
/// MassTransit's raw JSON treats a message without <c>MT-MessageType</c> as every type, so every consumer of the endpoint
/// would run. Here only the consumer of the contract named by <c>cloudEvents:type</c> and the major version of
/// <c>cloudEvents:dataschema</c> matches.
/// </summary>
internal sealed class QazBusDeserializer : IMessageDeserializer, ISerializerFactory
{
    public ContentType ContentType => QazBusMessageSerializer.Json;

    public ConsumeContext Deserialize(MtReceiveContext receiveContext)
    {
        var delivery = receiveContext.TryGetPayload(out QazBusDelivery? found) && found.Contract is not null ? found
            : throw new InvalidOperationException("A message reached MassTransit's deserializer without passing QazBus's consume pipeline.");
        return new BodyConsumeContext(receiveContext, new ContractSerializerContext(
            MessageUrn.ForTypeString(delivery.ContractType!),
            delivery.Contract!,
            new RawMessageContext(receiveContext.TransportHeaders, receiveContext.InputAddress, RawSerializerOptions.Default)));
    }

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null) =>
        throw new NotSupportedException("QazBus messages are read by QazBus's consume pipeline, never from a stored body.");

    public MessageBody GetMessageBody(string text) => new StringMessageBody(text);

    public void Probe(ProbeContext context) => context.CreateScope("qazbus");

    public IMessageSerializer CreateSerializer() => throw new NotSupportedException("QazBus serializes through the publish filter only.");

    public IMessageDeserializer CreateDeserializer() => this;

    /// <summary>One message of one type, already deserialized.</summary>
    private sealed class ContractSerializerContext(string urn, object contract, MessageContext messageContext)
        : SystemTextJsonRawSerializerContext(SystemTextJsonMessageSerializer.Instance, BusJson.Options, QazBusMessageSerializer.Json,
            messageContext, [urn], RawSerializerOptions.Default, default)
    {
        public override bool IsSupportedMessageType<T>() => contract is T && typeof(T) == contract.GetType();

        public override bool IsSupportedMessageType(Type messageType) => messageType == contract.GetType();

        public override bool TryGetMessage<T>(out T? message)
            where T : class
        {
            message = IsSupportedMessageType<T>() ? (T)contract : null;
            return message is not null;
        }

        public override bool TryGetMessage(Type messageType, [NotNullWhen(true)] out object? message)
        {
            message = IsSupportedMessageType(messageType) ? contract : null;
            return message is not null;
        }
    }
}
