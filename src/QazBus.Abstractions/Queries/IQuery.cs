namespace QazBus.Queries;

/// <summary>
/// Marks a contract record as the request of a query: a question one system asks the system of another agency,
/// answered with one <typeparamref name="TResponse"/> or a typed rejection.
/// </summary>
/// <remarks>
/// Both records are ordinary contracts (<see cref="Contracts.ContractAttribute"/>), each with its JSON Schema and the
/// compatibility gate. Both are owned by the answering agency: the request's exchange <c>{name}.v{major}</c> reaches
/// its provider, and only systems of that agency may answer.
/// </remarks>
/// <example><code>
/// [Contract("mju.population.citizen-by-iin", 1)]
/// public sealed record CitizenByIin : IQuery&lt;CitizenCard&gt; { public required string Iin { get; init; } }
/// </code></example>
/// <typeparam name="TResponse">The response contract record.</typeparam>
#pragma warning disable CA1040 // A marker: it ties the response type to the request type at compile time.
public interface IQuery<TResponse>
    where TResponse : class
{
}
#pragma warning restore CA1040
