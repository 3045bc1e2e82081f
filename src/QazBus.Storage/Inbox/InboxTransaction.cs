using System.Data.Common;

namespace QazBus.Storage.Inbox;

/// <summary>The scoped holder the inbox filter fills before it calls the handler.</summary>
internal sealed class InboxTransaction : IInboxTransaction
{
    private DbConnection? _connection;
    private DbTransaction? _transaction;

    public DbConnection Connection => _connection ?? throw NotInInbox();

    public DbTransaction Transaction => _transaction ?? throw NotInInbox();

    public void Set(DbConnection connection, DbTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public void Clear()
    {
        _connection = null;
        _transaction = null;
    }

    private static InvalidOperationException NotInInbox() => new(
        "There is no inbox transaction here: IInboxTransaction is available in handlers while the inbox is on (QazBus:Storage:Inbox:Enabled) and AddStorage() is registered.");
}
