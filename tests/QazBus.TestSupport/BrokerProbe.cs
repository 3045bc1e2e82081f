using RabbitMQ.Client;

namespace QazBus.TestSupport;

/// <summary>Plain-client helpers for asserting on queues.</summary>
public static class BrokerProbe
{
    /// <summary>Polls a queue until a message arrives (taking it), or fails after the timeout.</summary>
    public static async Task<BasicGetResult> TakeAsync(IChannel channel, string queue, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            var result = await channel.BasicGetAsync(queue, autoAck: true).ConfigureAwait(false);
            if (result is not null)
            {
                return result;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"Nothing arrived in {queue} within {(timeout ?? TimeSpan.FromSeconds(15)).TotalSeconds} s.");
    }

    /// <summary>A header as text (AMQP long strings arrive as bytes).</summary>
    public static string? Header(BasicGetResult result, string name) =>
        result.BasicProperties.Headers is { } headers && headers.TryGetValue(name, out var value)
            ? value switch
            {
                byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                null => null,
                _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
            }
            : null;

    /// <summary>Deletes an endpoint's queue and error queue.</summary>
    public static async Task DeleteEndpointAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
        await channel.QueueDeleteAsync(queue).ConfigureAwait(false);
        await channel.QueueDeleteAsync(queue + "_error").ConfigureAwait(false);
    }
}
