namespace QazBus.Publishing;

/// <summary>
/// The system a message is sent for, when it is not this host's own: the HTTP gateway publishes and asks for the
/// client systems it authenticated (as X-Road's security server acts for its members). While a scope is open on the
/// current async flow, <see cref="OutgoingMessageFactory"/> writes that system as the CloudEvents <c>source</c> and
/// checks ownership against its agency, and the query client hashes the request with it and leaves the hash here.
/// </summary>
internal sealed class SourceScope : IDisposable
{
    private static readonly AsyncLocal<SourceScope?> CurrentScope = new();

    private readonly SourceScope? _outer;

    private SourceScope(string system)
    {
        System = system;
        _outer = CurrentScope.Value;
        CurrentScope.Value = this;
    }

    /// <summary>The open scope of the current async flow, if any.</summary>
    public static SourceScope? Current => CurrentScope.Value;

    /// <summary>The system messages are sent for.</summary>
    public string System { get; }

    /// <summary>The request hash of the last query request built in this scope (the X-Road request hash).</summary>
    public string? RequestHash { get; set; }

    /// <summary>Opens a scope for <paramref name="system"/> (a valid system id); dispose it to close it.</summary>
    public static SourceScope For(string system)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(system);
        return new SourceScope(system);
    }

    public void Dispose() => CurrentScope.Value = _outer;
}
