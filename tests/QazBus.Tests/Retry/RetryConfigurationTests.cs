using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Retry;
using QazBus.TestSupport;

namespace QazBus.Tests.Retry;

public sealed class RetryConfigurationTests
{
    [Theory]
    [InlineData("QazBus:Retry:Delays", "10s, 7s", "QazBus:Retry:Delays: '7s' is not a delay level")]
    [InlineData("QazBus:Retry:Contracts:mju.population.address-changed:Delays", "3m", "QazBus:Retry:Contracts:mju.population.address-changed:Delays: '3m' is not a delay level")]
    [InlineData("QazBus:Retry:Endpoints:address-changes:ImmediateRetries", "50", "QazBus:Retry:Endpoints:address-changes:ImmediateRetries must be between 0 and 10")]
    [InlineData("QazBus:KillSwitch:FailureRatio", "1.5", "QazBus:KillSwitch:FailureRatio must be above 0 and at most 1")]
    public async Task A_bad_retry_setting_stops_the_host_naming_the_key(string key, string value, string expected)
    {
        using var host = TestHosts.Build("kgd.tax-office", null, settings: new Dictionary<string, string?> { [key] = value });
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overrides_apply_endpoint_first_then_contract_then_system()
    {
        var options = new QazBusOptions
        {
            System = "kgd.tax-office",
            Retry = new RetryOptions
            {
                ImmediateRetries = 2,
                Delays = "10s, 1m",
                Contracts = { ["mju.population.address-changed"] = new RetryOverride { Delays = "5s" } },
                Endpoints = { ["citizens"] = new RetryOverride { ImmediateRetries = 0 } },
            },
        };
        var policy = new QazBus.Pipeline.Recoverability.RecoverabilityPolicy(Options.Create(options));
        Assert.Equal(new QazBus.Pipeline.Recoverability.RetrySchedule(2, [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1)]).Delays, policy.For("other", "x.y.z").Delays);
        Assert.Equal([TimeSpan.FromSeconds(5)], policy.For("address-changes", "mju.population.address-changed").Delays);
        Assert.Equal(0, policy.For("citizens", "mju.population.citizen-registered").ImmediateRetries);
        Assert.Equal(2, policy.For("address-changes", "mju.population.address-changed").ImmediateRetries);
    }

    [Fact]
    public void Delay_levels_are_labelled_as_operators_write_them()
    {
        Assert.Equal("qazbus.delay.10s", DelayLevels.QueueName(TimeSpan.FromSeconds(10)));
        Assert.Equal("qazbus.delay.5m", DelayLevels.QueueName(TimeSpan.FromMinutes(5)));
        Assert.Equal("qazbus.delay.24h", DelayLevels.QueueName(TimeSpan.FromHours(24)));
        Assert.True(DelayLevels.TryParse("none", out var none, out _));
        Assert.Empty(none);
    }

    [Fact]
    public void The_kill_switch_trips_at_the_failure_ratio_once_enough_messages_were_seen()
    {
        var killSwitch = new KillSwitch(new KillSwitchOptions { WindowSize = 10, MinimumMessages = 5, FailureRatio = 0.4 });
        Assert.False(killSwitch.Record(failed: true)); // 1 of 1, but fewer than 5 seen
        Assert.False(killSwitch.Record(failed: false));
        Assert.False(killSwitch.Record(failed: false));
        Assert.False(killSwitch.Record(failed: false));
        Assert.True(killSwitch.Record(failed: true)); // 2 of 5 = 40 %
        Assert.False(killSwitch.Record(failed: true)); // reset after tripping
    }
}
