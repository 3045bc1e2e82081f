namespace QazBus.Publishing;

/// <summary>
/// Publishes contracts on the bus. The one way agency code sends a message.
/// </summary>
/// <remarks>
/// A publish completes when the broker has confirmed the message (publisher confirms): once the returned task
/// completes, the message is stored durably and will reach every subscriber. Only systems of the contract's
/// owner agency may publish it.
/// </remarks>
public interface IContractPublisher
{
    /// <summary>Publishes <paramref name="message"/> to its contract's exchange and waits for the broker's confirm.</summary>
    /// <typeparam name="TContract">A record marked with <see cref="Contracts.ContractAttribute"/>.</typeparam>
    /// <param name="message">The contract instance; serialized as plain camelCase JSON.</param>
    /// <param name="options">Optional message id, correlation id and time; defaults are generated.</param>
    /// <param name="cancellationToken">Cancels waiting for the confirm; the message may still have been sent.</param>
    /// <returns>The CloudEvents id of the published message.</returns>
    Task<string> PublishAsync<TContract>(TContract message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TContract : class;
}
