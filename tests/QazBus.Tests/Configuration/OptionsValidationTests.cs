using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QazBus.TestSupport;

namespace QazBus.Tests.Configuration;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("QazBus:System", "", "QazBus:System is required")]
    [InlineData("QazBus:System", "MJU.Population", "QazBus:System 'MJU.Population' is invalid")]
    [InlineData("QazBus:System", "mju", "QazBus:System 'mju' is invalid")]
    [InlineData("QazBus:PrefetchCount", "0", "QazBus:PrefetchCount must be between 1 and 65535")]
    [InlineData("QazBus:ConcurrencyLimit", "5000", "QazBus:ConcurrencyLimit must be between 1 and 1024")]
    [InlineData("QazBus:Retry:ImmediateRetries", "-1", "QazBus:Retry:ImmediateRetries must be between 0 and 10")]
    [InlineData("QazBus:MaxMessageBytes", "10", "QazBus:MaxMessageBytes must be between")]
    public async Task A_bad_setting_stops_the_host_at_start_naming_the_key(string key, string value, string expected)
    {
        using var host = TestHosts.Build("mju.population-registry", rabbitMqUri: null, settings: new Dictionary<string, string?> { [key] = value });
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RabbitMq_without_a_uri_stops_the_host_naming_the_key()
    {
        using var host = TestHosts.Build("mju.population-registry", rabbitMqUri: null,
            settings: new Dictionary<string, string?> { ["QazBus:Transport"] = "RabbitMq" });
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("QazBus:RabbitMq:Uri is required", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_node_that_is_not_host_and_port_stops_the_host_naming_the_key()
    {
        using var host = TestHosts.Build("mju.population-registry", rabbitMqUri: "amqp://user:s3cret@rabbit-1,rabbit-2:5672/",
            settings: new Dictionary<string, string?> { ["QazBus:RabbitMq:Nodes:0"] = "rabbit-3:port", ["QazBus:RabbitMq:QuorumReplicas"] = "0" });
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("QazBus:RabbitMq:Nodes:0 is not a host or host:port: 'rabbit-3:port'.", failure.Message, StringComparison.Ordinal);
        Assert.Contains("QazBus:RabbitMq:QuorumReplicas must be at least 1", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_uri_that_is_not_amqp_is_refused_without_echoing_the_password()
    {
        using var host = TestHosts.Build("mju.population-registry", rabbitMqUri: "http://user:s3cret@host/");
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("QazBus:RabbitMq:Uri is not an absolute amqp://", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_transport_name_fails_naming_the_key()
    {
        var failure = Assert.ThrowsAny<InvalidOperationException>(() =>
        {
            using var host = TestHosts.Build("mju.population-registry", rabbitMqUri: null,
                settings: new Dictionary<string, string?> { ["QazBus:Transport"] = "Kafka" });
            _ = ((IOptions<QazBus.Configuration.QazBusOptions>)host.Services.GetService(typeof(IOptions<QazBus.Configuration.QazBusOptions>))!).Value;
        });
        Assert.Contains("QazBus:Transport", failure.Message, StringComparison.Ordinal);
    }
}
