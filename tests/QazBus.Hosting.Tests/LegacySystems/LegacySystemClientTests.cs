using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace QazBus.Hosting.Tests.LegacySystems;

/// <summary>
/// <c>AddLegacySystemClient</c> against a stub legacy system on 127.0.0.1: transient failures are retried, a system
/// that keeps failing opens the circuit, a missing address stops the host. No broker needed.
/// </summary>
public sealed class LegacySystemClientTests
{
    private const string System = "taxpayer-cards";

    [Fact]
    public async Task Two_503s_then_200_succeeds_after_three_requests()
    {
        await using var stub = await StubLegacySystem.StartAsync(request => request <= 2 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        using var host = BuildHost(new() { [$"{Section}:BaseAddress"] = stub.Address.ToString(), [$"{Section}:RetryDelay"] = "00:00:00.010" });
        await host.StartAsync();

        var client = host.Services.GetRequiredService<CardClient>();
        using var response = await client.Http.GetAsync(new Uri("cards/1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, stub.Requests);
        Assert.Equal("/cards/1", stub.LastPath);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_system_that_keeps_failing_opens_the_circuit_and_calls_fail_fast_without_reaching_it()
    {
        await using var stub = await StubLegacySystem.StartAsync(_ => StatusCodes.Status500InternalServerError);
        using var host = BuildHost(new()
        {
            [$"{Section}:BaseAddress"] = stub.Address.ToString(),
            [$"{Section}:Retries"] = "2",
            [$"{Section}:RetryDelay"] = "00:00:00.010",
            [$"{Section}:MinimumThroughput"] = "3",
            [$"{Section}:BreakDuration"] = "00:01:00",
        });
        await host.StartAsync();
        var client = host.Services.GetRequiredService<CardClient>();

        // The first call's three attempts all fail: the circuit opens on the third (3 of 3 failed, ratio 1 > 0.5).
        using (var first = await client.Http.GetAsync(new Uri("cards/1", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        }

        var seen = stub.Requests;
        Assert.Equal(3, seen);

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.Http.GetAsync(new Uri("cards/2", UriKind.Relative)));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.Http.GetAsync(new Uri("cards/3", UriKind.Relative)));
        clock.Stop();

        Assert.Equal(seen, stub.Requests);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"open-circuit calls took {clock.Elapsed}");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_missing_base_address_stops_the_host_naming_the_key()
    {
        using var host = BuildHost([]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"{Section}:BaseAddress is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_total_timeout_not_above_the_attempt_timeout_stops_the_host_naming_the_keys()
    {
        using var host = BuildHost(new()
        {
            [$"{Section}:BaseAddress"] = "http://127.0.0.1:9/",
            [$"{Section}:AttemptTimeout"] = "00:00:30",
            [$"{Section}:TotalTimeout"] = "00:00:30",
        });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"{Section}:TotalTimeout must be longer than {Section}:AttemptTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registering_a_system_twice_is_refused()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddLegacySystemClient<CardClient>(System);
        var error = Assert.Throws<InvalidOperationException>(() => builder.AddLegacySystemClient<CardClient>(System));
        Assert.Contains($"'{System}' is already registered", error.Message, StringComparison.Ordinal);
    }

    private static string Section => $"QazBus:LegacySystems:{System}";

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddLegacySystemClient<CardClient>(System);
        return builder.Build();
    }

    /// <summary>The adapter under test: a typed client exposing its HttpClient.</summary>
    private sealed class CardClient(HttpClient http)
    {
        public HttpClient Http { get; } = http;
    }

    /// <summary>A legacy system on 127.0.0.1 (a free port) answering the n-th request with the status <c>statusFor(n)</c>.</summary>
    private sealed class StubLegacySystem : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private StubLegacySystem(WebApplication app, Func<int, int> statusFor)
        {
            _app = app;
            _app.Run(context =>
            {
                var n = Interlocked.Increment(ref _requests);
                LastPath = context.Request.Path;
                context.Response.StatusCode = statusFor(n);
                return Task.CompletedTask;
            });
        }

        public Uri Address { get; private set; } = null!;

        public int Requests => Volatile.Read(ref _requests);

        public string? LastPath { get; private set; }

        public static async Task<StubLegacySystem> StartAsync(Func<int, int> statusFor)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var stub = new StubLegacySystem(builder.Build(), statusFor);
            await stub._app.StartAsync();
            var bound = stub._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            stub.Address = new Uri(bound.TrimEnd('/') + "/");
            return stub;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
