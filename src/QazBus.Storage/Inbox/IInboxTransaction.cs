using System.Data.Common;

namespace QazBus.Storage.Inbox;

/// <summary>
/// The database transaction the inbox opened for the message being handled. A handler that writes to the storage
/// database does so here, so its change and the inbox row commit together: a redelivered or duplicated message has
/// exactly one effect. Inject it into the handler (it is scoped to the message).
/// </summary>
/// <example>
/// <code>
/// public sealed class CitizenRegisteredHandler(IInboxTransaction inbox) : IContractHandler&lt;CitizenRegisteredV2&gt;
/// {
///     public Task HandleAsync(CitizenRegisteredV2 message, MessageContext context, CancellationToken ct) =>
///         inbox.Connection.ExecuteAsync("insert into taxpayer (iin, name) values (@Iin, @LastName)", message, inbox.Transaction);
/// }
/// </code>
/// </example>
public interface IInboxTransaction
{
    /// <summary>The open connection to the storage database.</summary>
    /// <exception cref="InvalidOperationException">Used outside a handler called through the inbox.</exception>
    DbConnection Connection { get; }

    /// <summary>The transaction the inbox row is in; commits after the handler returns, rolls back when it throws.</summary>
    /// <exception cref="InvalidOperationException">Used outside a handler called through the inbox.</exception>
    DbTransaction Transaction { get; }
}
