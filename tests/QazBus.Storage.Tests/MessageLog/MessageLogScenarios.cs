using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QazBus.Observation;
using QazBus.Storage.Configuration;
using QazBus.Storage.Database;
using QazBus.Storage.MessageLog;
using QazBus.Storage.Schema;
using QazBus.Storage.Tests.Support;
using Xunit.Abstractions;

namespace QazBus.Storage.Tests.MessageLog;

public sealed class MessageLogOnPostgres(ITestOutputHelper output) : MessageLogScenarios(StorageProvider.Postgres, output);

public sealed class MessageLogOnSqlite(ITestOutputHelper output) : MessageLogScenarios(StorageProvider.Sqlite, output);

/// <summary>The hash-chained message log: recording, verification and search.</summary>
public abstract class MessageLogScenarios(StorageProvider provider, ITestOutputHelper output) : StorageScenario(provider, output)
{
    [Fact]
    public async Task An_untouched_log_verifies_and_find_searches_by_message_id_correlation_id_and_contract_and_time()
    {
        var log = await OpenAsync();
        var start = DateTimeOffset.UtcNow;
        await log.AppendAsync(10, i => Record(i, correlation: i % 2 == 0 ? "APP-EVEN" : null, time: start.AddSeconds(i)));

        var check = await log.Reader.VerifyAsync();
        Assert.True(check.IsIntact, check.Problem);
        Assert.Equal(10, check.RowsChecked);
        Assert.Equal(10, check.HeadSequence);

        var byId = Assert.Single(await log.Reader.FindAsync(new MessageLogQuery { MessageId = "m-3" }));
        Assert.Equal(3, byId.Sequence);
        Assert.Equal("Published", byId.Outcome);
        Assert.Equal("mju.storage-test.item-recorded.v1", byId.Destination);
        Assert.Equal(start.AddSeconds(3).UtcTicks / 10, byId.Time.UtcTicks / 10);
        Assert.Equal("{\"n\":3}", Encoding.UTF8.GetString(byId.Payload!.Value.Span));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("{\"n\":3}"))), byId.PayloadHash);

        var even = await log.Reader.FindAsync(new MessageLogQuery { CorrelationId = "APP-EVEN" });
        Assert.Equal(["m-2", "m-4", "m-6", "m-8", "m-10"], even.Select(e => e.MessageId));

        var window = await log.Reader.FindAsync(new MessageLogQuery { Contract = "mju.storage-test.item-recorded", From = start.AddSeconds(4), To = start.AddSeconds(7) });
        Assert.Equal(["m-4", "m-5", "m-6"], window.Select(e => e.MessageId));

        var latest = await log.Reader.FindAsync(new MessageLogQuery { Limit = 2 });
        Assert.Equal([9L, 10L], latest.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Verify_detects_an_altered_row_and_names_it()
    {
        var log = await OpenAsync();
        await log.AppendAsync(6, i => Record(i));
        await log.AllowChangesAsync();

        await Backend.ExecuteAsync($"UPDATE {log.Table} SET destination = 'somewhere.else' WHERE seq = 4");

        var check = await log.Reader.VerifyAsync();
        Assert.False(check.IsIntact);
        Assert.Equal(4, check.FirstBadSequence);
        Assert.Contains("altered", check.Problem, StringComparison.Ordinal);
        Output.WriteLine(check.Problem);
    }

    [Fact]
    public async Task Verify_detects_an_altered_payload_and_a_removed_one()
    {
        var log = await OpenAsync();
        await log.AppendAsync(5, i => Record(i));
        await log.AllowChangesAsync();

        await Backend.ExecuteAsync($"UPDATE {log.Table} SET payload = payload_hash WHERE seq = 2");
        var altered = await log.Reader.VerifyAsync();
        Assert.Equal(2, altered.FirstBadSequence);

        await Backend.ExecuteAsync($"UPDATE {log.Table} SET payload = NULL WHERE seq = 2");
        var removed = await log.Reader.VerifyAsync();
        Assert.Equal(2, removed.FirstBadSequence);
        Assert.Contains("removed", removed.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_detects_a_row_rewritten_with_a_fresh_hash_at_the_next_row()
    {
        var log = await OpenAsync();
        await log.AppendAsync(5, i => Record(i));
        await log.AllowChangesAsync();

        // A forger who recomputes the row's own hash still breaks the link to the next row.
        await Backend.ExecuteAsync($"UPDATE {log.Table} SET hash = prev_hash WHERE seq = 3");
        var check = await log.Reader.VerifyAsync();
        Assert.False(check.IsIntact);
        Assert.Equal(3, check.FirstBadSequence); // its stored hash no longer matches its content
    }

    [Fact]
    public async Task Verify_detects_a_deleted_row_in_the_middle_and_at_the_end()
    {
        var log = await OpenAsync();
        await log.AppendAsync(8, i => Record(i));
        await log.AllowChangesAsync();

        await Backend.ExecuteAsync($"DELETE FROM {log.Table} WHERE seq = 8");
        var tail = await log.Reader.VerifyAsync();
        Assert.False(tail.IsIntact);
        Assert.Equal(8, tail.FirstBadSequence);
        Output.WriteLine(tail.Problem);

        await Backend.ExecuteAsync($"DELETE FROM {log.Table} WHERE seq = 5");
        var middle = await log.Reader.VerifyAsync();
        Assert.False(middle.IsIntact);
        Assert.Equal(5, middle.FirstBadSequence);
        Assert.Contains("missing", middle.Problem, StringComparison.Ordinal);
        Output.WriteLine(middle.Problem);
    }

    [Fact]
    public async Task The_log_refuses_updates_and_deletes()
    {
        var log = await OpenAsync();
        await log.AppendAsync(1, i => Record(i));

        var update = await Assert.ThrowsAnyAsync<DbException>(() => Backend.ExecuteAsync($"UPDATE {log.Table} SET destination = 'x'"));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => Backend.ExecuteAsync($"DELETE FROM {log.Table}"));
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metadata_only_contract_keeps_its_payload_hash_but_not_its_payload()
    {
        var log = await OpenAsync(metadataOnly: "mju.storage-test.secret-recorded");
        await log.AppendAsync(2, i => Record(i) with { Contract = i == 1 ? "mju.storage-test.secret-recorded" : "mju.storage-test.item-recorded" });

        var rows = await log.Reader.FindAsync(new MessageLogQuery());
        Assert.Null(rows[0].Payload);
        Assert.False(rows[0].PayloadLogged);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("{\"n\":1}"))), rows[0].PayloadHash);
        Assert.NotNull(rows[1].Payload);
        Assert.True((await log.Reader.VerifyAsync()).IsIntact);
    }

    [Fact]
    public async Task Parallel_appenders_in_two_processes_keep_one_unbroken_chain()
    {
        // Two writers on one database stand for two processes (two instances of a system): they take turns on
        // the chain head. Many concurrent callers each stand for parallel consumers.
        var first = await OpenAsync();
        var second = await OpenAsync(prefix: first.Prefix);
        await Task.WhenAll(
            Enumerable.Range(1, 300).Select(i => first.Writer.OnConsumedAsync(Record(i), CancellationToken.None).AsTask())
                .Concat(Enumerable.Range(301, 300).Select(i => second.Writer.OnPublishedAsync(Record(i), CancellationToken.None).AsTask())));

        var check = await first.Reader.VerifyAsync();
        Assert.True(check.IsIntact, check.Problem);
        Assert.Equal(600, check.RowsChecked);
    }

    [Fact]
    public async Task Every_message_sent_and_received_is_recorded_by_each_side()
    {
        var harness = Harness();
        await harness.StartConsumerAsync();
        var publisher = await harness.StartPublisherAsync();
        var ids = await harness.EnqueueAsync(publisher, [1, 2, 3], perTransaction: 3);
        await harness.WaitForEffectsAsync(3, TimeSpan.FromSeconds(30));

        await using var sent = new MessageLogReader(Backend.Options(harness.PublisherPrefix));
        await using var received = new MessageLogReader(Backend.Options(harness.ConsumerPrefix));
        foreach (var id in ids)
        {
            // The sender records a publish after the broker's confirm, and the consumer may have handled the
            // message by then: both sides are read until their row is there.
            var published = await WaitForSingleAsync(sent, id);
            Assert.Equal(("Published", harness.PublisherSystem, "mju.storage-test.item-recorded.v1"), (published.Outcome, published.System, published.Destination));
            var handled = await WaitForSingleAsync(received, id);
            Assert.Equal(("Handled", harness.ConsumerSystem, harness.ConsumerQueue, harness.PublisherSystem), (handled.Outcome, handled.System, handled.Destination, handled.Source));
            Assert.Equal(published.PayloadHash, handled.PayloadHash);
            Assert.Equal(published.TraceParent, handled.TraceParent);
        }

        Assert.True((await sent.VerifyAsync()).IsIntact);
        Assert.True((await received.VerifyAsync()).IsIntact);
    }

    [Fact]
    public async Task Reading_a_database_without_a_log_says_so()
    {
        await using var reader = new MessageLogReader(Backend.Options("nolog_"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => reader.VerifyAsync());
        Assert.Contains("no QazBus message log", error.Message, StringComparison.Ordinal);
    }

    private static async Task<MessageLogEntry> WaitForSingleAsync(MessageLogReader reader, string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var found = await reader.FindAsync(new MessageLogQuery { MessageId = id });
            if (found.Count > 0 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(found);
            }

            await Task.Delay(100);
        }
    }

    internal static MessageRecord Record(int i, string? correlation = null, DateTimeOffset? time = null) => new()
    {
        MessageId = $"m-{i}",
        Contract = "mju.storage-test.item-recorded",
        Version = 1,
        Source = "mju.registry",
        Destination = "mju.storage-test.item-recorded.v1",
        System = "mju.registry",
        CorrelationId = correlation,
        TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        Outcome = MessageOutcome.Published,
        Time = time ?? DateTimeOffset.UtcNow,
        Body = Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"),
    };

    private async Task<LogUnderTest> OpenAsync(string? prefix = null, string? metadataOnly = null)
    {
        var options = Backend.Options(prefix ?? $"l{QazBus.TestSupport.TestHosts.Unique()}_");
        if (metadataOnly is not null)
        {
            options.MessageLog.MetadataOnly.Add(metadataOnly);
        }

        var log = Own(new LogUnderTest(Backend, options));
        await log.Gate.EnsureAsync(CancellationToken.None);
        return log;
    }
}
