using System.Security.Cryptography;
using QazBus.Gateway.Contracts;
using QazBus.Gateway.Problems;
using QazBus.Publishing;
using QazBus.Storage.Database;
using QazBus.Storage.Outbox;
using QazBus.Validation;

namespace QazBus.Gateway.Publishing;

/// <summary>
/// <c>POST /v1/messages/{name}/v{version}</c>: the body is checked as an SDK publisher's message is and written to the
/// outbox (the storage's one outbox, relayed to the bus with publisher confirms) with the client system as its source.
/// </summary>
internal static class PublishEndpoint
{
    /// <summary>The header that makes a retried publish safe.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The answer to an accepted publish.</summary>
    /// <param name="MessageId">The CloudEvents id of the message.</param>
    public sealed record Accepted(string MessageId);

    public static async Task<IResult> HandleAsync(
        string name, int version, HttpContext http, GatewayContracts contracts, BodyReader reader,
        StorageDatabase storage, IOutbox outbox, IdempotencyStore idempotency, Authentication.GatewayClients clients, CancellationToken cancellationToken)
    {
        var system = http.User.Identity!.Name!;
        if (contracts.Find(name, version) is not { IsQuery: false } contract
            || !clients.Registry.Contracts.Any(c => c.Name == name && c.Versions.Any(v => v.Version == version)))
        {
            return UnknownContract(name, version);
        }

        string? key = null;
        if (http.Request.Headers.TryGetValue(IdempotencyKeyHeader, out var keys))
        {
            key = keys.Count == 1 ? keys[0] : null;
            if (key is null || key.Length is 0 or > 200 || key.Any(c => c is < '!' or > '~'))
            {
                return GatewayProblems.Result(StatusCodes.Status400BadRequest, GatewayProblems.BadIdempotencyKey, "Bad Idempotency-Key",
                    $"{IdempotencyKeyHeader} must be one value of 1 to 200 visible ASCII characters (a UUID is a good choice).");
            }
        }

        var (body, message, problem) = await reader.ReadAsync(http.Request, contract, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var requestHash = Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes($"{name}:v{version}\n"), .. body!]));
        var messageId = Guid.CreateVersion7().ToString();
        await using var connection = await storage.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (key is not null && !await idempotency.TryClaimAsync(transaction, system, key, requestHash, messageId, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return await ReplayAsync(idempotency, system, key, requestHash, cancellationToken);
        }

        try
        {
            // The message is the client system's: its source, its agency's ownership, its trace (SourceScope).
            using (SourceScope.For(system))
            {
                await outbox.EnqueueAsync(transaction, message!, new PublishOptions { MessageId = messageId }, cancellationToken: cancellationToken);
            }
        }
        catch (ContractValidationException invalid)
        {
            return BodyReader.Violation(contract, invalid.Violations);
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, new Accepted(messageId));
    }

    private static async Task<IResult> ReplayAsync(IdempotencyStore idempotency, string system, string key, string requestHash, CancellationToken cancellationToken)
    {
        var earlier = await idempotency.FindAsync(system, key, cancellationToken);
        if (earlier is { } found && found.RequestHash == requestHash)
        {
            // The same request again: the same message id, and no second message.
            return TypedResults.Accepted((string?)null, new Accepted(found.MessageId));
        }

        return GatewayProblems.Result(StatusCodes.Status422UnprocessableEntity, GatewayProblems.BadIdempotencyKey, "Idempotency-Key reused",
            $"This {IdempotencyKeyHeader} was used before for another contract or body; use a new key for a new message.");
    }

    internal static IResult UnknownContract(string name, int version) =>
        GatewayProblems.Result(StatusCodes.Status404NotFound, GatewayProblems.UnknownContract, "Unknown contract",
            $"Contract '{name}' v{version} is not a contract version this gateway carries; GET /v1/contracts lists them.");
}
