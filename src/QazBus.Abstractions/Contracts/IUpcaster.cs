namespace QazBus.Contracts;

/// <summary>
/// Turns a message of an older contract version into the next one, so a handler written for the new version
/// also receives messages still published in the old one during a migration window.
/// </summary>
/// <remarks>
/// Declare upcasters next to the contracts, in the same assembly as <typeparamref name="TTo"/>: when a handler
/// for <typeparamref name="TTo"/> is registered, QazBus finds them and binds the endpoint to the older
/// version's exchange as well. Chains work: v1 → v2 → v3. An upcaster is a plain, pure function.
/// </remarks>
/// <typeparam name="TFrom">The older contract version.</typeparam>
/// <typeparam name="TTo">The next contract version (same contract name, higher major version).</typeparam>
public interface IUpcaster<in TFrom, out TTo>
    where TFrom : class
    where TTo : class
{
    /// <summary>Converts one message. Must not fail for any valid <typeparamref name="TFrom"/>.</summary>
    TTo Upcast(TFrom message);
}
