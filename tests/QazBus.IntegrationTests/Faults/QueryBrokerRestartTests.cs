using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QazBus.Contracts.Population;
using QazBus.IntegrationTests.Queries;
using QazBus.Queries;
using QazBus.TestSupport;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Faults;

/// <summary>
/// Queries across a broker crash (SIGKILL, then a start): a question asked while the broker is down fails within its
/// timeout instead of hanging; both sides ask and answer again once their connections recover; an asynchronous
/// request taken by the broker before the crash is answered after it (quorum queues on disk). A private broker:
/// killing the shared one would break the other test assemblies.
/// </summary>
public sealed class QueryBrokerRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Queries_fail_fast_while_the_broker_is_down_and_work_again_after_and_an_asynchronous_request_survives_it()
    {
        await using var broker = await PrivateRabbitMq.StartNewAsync(output.WriteLine);
        var provider = $"mju.population-registry-{TestHosts.Unique()}";
        var requester = $"kgd.tax-office-{TestHosts.Unique()}";
        var file = new CitizenFile();
        var answers = new AnswerSink();
        IHost Provider() => TestHosts.Build(provider, broker.Uri,
            bus => bus.AddQueryHandler<CitizenByIin, CitizenCard, CitizenFileHandler>("citizen-queries"),
            services: s => s.AddSingleton(file).AddSingleton<IQueryAccessPolicy>(new ApprovedRequesters(requester)));
        using var taxOffice = TestHosts.Build(requester, broker.Uri,
            bus => bus.AddQueryResponseHandler<CitizenByIin, CitizenCard, CitizenAnswerHandler>(),
            services: s => s.AddSingleton(answers));
        var registry = Provider();
        await registry.StartAsync();
        await taxOffice.StartAsync();
        var client = taxOffice.Services.GetRequiredService<IQueryClient>();
        Assert.Equal(CitizenFile.Known, (await client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Ask)).Iin);

        // An asynchronous request the broker holds while its provider is away, then the crash.
        await registry.StopAsync();
        registry.Dispose();
        var held = await client.SendRequestAsync(new CitizenByIin { Iin = CitizenFile.Known }, TimeSpan.FromHours(1));
        await broker.KillAsync();
        output.WriteLine("broker SIGKILLed");

        // Asked while the broker is down: an exception within the timeout (and a little), never a hang.
        var clock = Stopwatch.StartNew();
        var down = await Assert.ThrowsAnyAsync<Exception>(() => client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Ask));
        output.WriteLine($"while down, after {clock.Elapsed.TotalSeconds:F1} s: {down.GetType().Name}: {down.Message}");
        Assert.True(clock.Elapsed < Ask + TimeSpan.FromSeconds(5), $"a question asked while the broker was down took {clock.Elapsed} to fail");
        Assert.True(down is QazBus.Transport.RabbitMq.BrokerConnectionException { Failure: QazBus.Transport.RabbitMq.BrokerConnectionFailure.ConnectionLost } or QueryTimeoutException,
            $"a question asked while the broker was down failed with {down.GetType().Name}, not a clear connection-lost or timeout: {down.Message}");

        await broker.StartAsync();
        output.WriteLine("broker started again");
        registry = Provider();
        await registry.StartAsync();
        try
        {
            // The held request is answered from the queue that survived the crash.
            var answer = await answers.WaitForAsync(held, TimeSpan.FromSeconds(60));
            Assert.True(answer.IsAnswered);

            // And the synchronous form works again once the requester's connection has recovered.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            CitizenCard? card = null;
            while (card is null)
            {
                try
                {
                    card = await client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = CitizenFile.Known }, Ask);
                }
                catch (Exception ex) when (DateTime.UtcNow < until && ex is not QueryRejectedException)
                {
                    output.WriteLine($"not yet: {ex.GetType().Name}: {ex.Message}");
                    await Task.Delay(500);
                }
            }

            Assert.Equal(CitizenFile.Known, card.Iin);
        }
        finally
        {
            await registry.StopAsync();
            registry.Dispose();
            await taxOffice.StopAsync();
        }
    }
}
