using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QazBus.Runtime;

namespace QazBus.TestSupport;

/// <summary>Builds a QazBus host the way an agency service does: a Generic Host, configuration, AddQazBus.</summary>
public static class TestHosts
{
    /// <summary>A unique suffix, so parallel or repeated runs never share queues.</summary>
    public static string Unique() => Guid.NewGuid().ToString("N")[..8];

    public static IHost Build(
        string system,
        string? rabbitMqUri,
        Action<QazBusBuilder>? bus = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var values = new Dictionary<string, string?>
        {
            ["QazBus:System"] = system,
            ["QazBus:Transport"] = rabbitMqUri is null ? "InMemory" : "RabbitMq",
            ["QazBus:RabbitMq:Uri"] = rabbitMqUri,
            ["QazBus:RabbitMq:ConnectTimeout"] = "00:00:20",
        };
        if (settings is not null)
        {
            foreach (var (key, value) in settings)
            {
                values[key] = value;
            }
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        services?.Invoke(builder.Services);
        var qazBus = builder.AddQazBus();
        bus?.Invoke(qazBus);
        return builder.Build();
    }
}
