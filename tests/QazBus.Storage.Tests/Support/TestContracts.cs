using System.ComponentModel.DataAnnotations;
using QazBus.Contracts;

namespace QazBus.Storage.Tests.Support;

/// <summary>
/// The test contract, owned by agency <c>mju</c>. Its exchange is shared by every test on the shared broker, so each
/// test marks its messages with its own <see cref="Run"/> and its handlers count only those.
/// </summary>
[Contract("mju.storage-test.item-recorded", 1)]
public sealed record ItemRecorded
{
    /// <summary>The test run the message belongs to.</summary>
    [StringLength(64, MinimumLength = 1)]
    public required string Run { get; init; }

    public required int Number { get; init; }

    /// <summary>The ordering key the message was enqueued with, if any.</summary>
    public string? Key { get; init; }
}

/// <summary>A second contract whose message-log mode is metadata-only in the log tests.</summary>
[Contract("mju.storage-test.secret-recorded", 1)]
public sealed record SecretRecorded
{
    public required string Run { get; init; }

    public required string Secret { get; init; }
}
