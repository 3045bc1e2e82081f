using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QazBus.Hosting.Tests.Support;
using QazBus.TestSupport;

namespace QazBus.Hosting.Tests.Configuration;

/// <summary>A bad setting stops the host at start with a message naming its key.</summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("QazBus:Health:Port", "70000", "QazBus:Health:Port must be between 0 and 65535")]
    [InlineData("QazBus:Health:Port", "-1", "QazBus:Health:Port must be between 0 and 65535")]
    [InlineData("QazBus:Health:Address", "localhost", "QazBus:Health:Address 'localhost' is not an IP address")]
    [InlineData("QazBus:Health:OutboxBacklogLimit", "0", "QazBus:Health:OutboxBacklogLimit must be at least 1")]
    [InlineData("QazBus:Health:OutboxAgeLimit", "00:00:00", "QazBus:Health:OutboxAgeLimit must be positive")]
    [InlineData("QazBus:Telemetry:SampleInterval", "00:00:00", "QazBus:Telemetry:SampleInterval must be between")]
    [InlineData("QazBus:Telemetry:SampleInterval", "02:00:00", "QazBus:Telemetry:SampleInterval must be between")]
    public async Task A_bad_value_stops_the_host_naming_the_key(string key, string value, string expected)
    {
        using var host = WorkerHosts.Build($"mju.population-registry-{TestHosts.Unique()}", rabbitMqUri: null,
            settings: new Dictionary<string, string?> { [key] = value });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_health_port_in_use_stops_the_host_naming_the_keys()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var host = WorkerHosts.Build($"mju.population-registry-{TestHosts.Unique()}", rabbitMqUri: null,
            settings: new Dictionary<string, string?> { ["QazBus:Health:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains($"cannot listen on 127.0.0.1:{port} (QazBus:Health:Address, QazBus:Health:Port)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_defaults_without_the_bus_stop_the_host_saying_to_add_it()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddQazBusServiceDefaults();
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("call builder.AddQazBus() as well", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Calling_the_defaults_twice_adds_them_once()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddQazBusServiceDefaults();
        var count = builder.Services.Count;
        builder.AddQazBusServiceDefaults();
        Assert.Equal(count, builder.Services.Count);
    }
}
