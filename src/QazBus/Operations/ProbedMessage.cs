using QazBus.Transport;

namespace QazBus.Operations;

/// <summary>One message seen by a <see cref="ContractProbe"/>.</summary>
/// <param name="Message">The message as the transport reads it: body, headers and the properties it keeps.</param>
/// <param name="Properties">Every AMQP basic property present, as text, in AMQP order.</param>
/// <param name="Exchange">The exchange it was published to.</param>
/// <param name="RoutingKey">Its routing key.</param>
internal sealed record ProbedMessage(TransportMessage Message, IReadOnlyList<KeyValuePair<string, string>> Properties, string Exchange, string RoutingKey);
