using QazBus.Storage.Configuration;

namespace QazBus.Storage.Tests.Configuration;

/// <summary>A bad setting stops the host with a message naming its key.</summary>
public sealed class StorageOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_for_embedded_SQLite()
    {
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions()).Succeeded);
    }

    [Theory]
    [InlineData("Provider", "QazBus:Storage:ConnectionString is required")]
    [InlineData("Schema", "QazBus:Storage:Schema 'Bad-Schema' is invalid")]
    [InlineData("TablePrefix", "QazBus:Storage:TablePrefix '9x' is invalid")]
    [InlineData("BatchSize", "QazBus:Storage:Relay:BatchSize must be between 1 and 5000, got 0")]
    [InlineData("PollInterval", "QazBus:Storage:Relay:PollInterval must be between")]
    [InlineData("InboxRetention", "QazBus:Storage:Inbox:Retention must be at least")]
    [InlineData("SentRetention", "QazBus:Storage:Outbox:SentRetention must not be negative")]
    [InlineData("MetadataOnly", "QazBus:Storage:MessageLog:MetadataOnly: 'Not A Contract'")]
    [InlineData("Memory", "QazBus:Storage:ConnectionString: an in-memory SQLite database is not supported")]
    public void A_bad_setting_is_named(string setting, string expected)
    {
        var options = new StorageOptions();
        switch (setting)
        {
            case "Provider":
                options.Provider = StorageProvider.Postgres;
                break;
            case "Schema":
                options.Provider = StorageProvider.Postgres;
                options.ConnectionString = "Host=localhost";
                options.Schema = "Bad-Schema";
                break;
            case "TablePrefix":
                options.TablePrefix = "9x";
                break;
            case "BatchSize":
                options.Relay.BatchSize = 0;
                break;
            case "PollInterval":
                options.Relay.PollInterval = TimeSpan.Zero;
                break;
            case "InboxRetention":
                options.Inbox.Retention = TimeSpan.FromSeconds(5);
                break;
            case "SentRetention":
                options.Outbox.SentRetention = TimeSpan.FromSeconds(-1);
                break;
            case "MetadataOnly":
                options.MessageLog.MetadataOnly.Add("Not A Contract");
                break;
            case "Memory":
                options.ConnectionString = "Data Source=:memory:";
                break;
        }

        var result = new StorageOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_in_a_bad_connection_string_is_never_echoed()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions
        {
            Provider = StorageProvider.Postgres,
            ConnectionString = "Host=db;Password=hunter2;NoSuchKeyword=1",
        });
        Assert.True(result.Failed);
        Assert.DoesNotContain("hunter2", result.FailureMessage, StringComparison.Ordinal);
    }
}
