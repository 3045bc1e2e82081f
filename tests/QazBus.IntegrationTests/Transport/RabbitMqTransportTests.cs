using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QazBus.Contracts.Population;
using QazBus.Publishing;
using QazBus.TestSupport;
using QazBus.Transport.RabbitMq;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace QazBus.IntegrationTests.Transport;

/// <summary>Transport behaviour on the real broker: topology, confirms, end-to-end delivery, retries, start-up.</summary>
public sealed class RabbitMqTransportTests(BrokerFixture fixture, ITestOutputHelper output) : BrokerTest(fixture, output)
{
    [Fact]
    public async Task Endpoint_queues_and_error_queues_are_durable_quorum_queues()
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        using var host = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            services: s => s.AddSingleton(new MessageSink<AddressChanged>()));
        await host.StartAsync();
        await host.StopAsync();

        await using var connection = await Broker.CreateConnectionAsync();
        foreach (var queue in new[] { $"{system}.address-changes", $"{system}.address-changes_error" })
        {
            // Re-declaring as a classic queue must be refused: the broker holds it as quorum.
            await using var channel = await connection.CreateChannelAsync();
            var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
                channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                    arguments: new Dictionary<string, object?> { ["x-queue-type"] = "classic" }));
            Assert.Equal(406, refused.ShutdownReason!.ReplyCode);
            Assert.Contains("inequivalent arg", refused.ShutdownReason.ReplyText, StringComparison.Ordinal);
        }

        // The arguments come from the one table (QueueArguments) the registry's definitions use too.
        Assert.NotNull(Broker.Management);
        var endpoint = await Broker.Management.ArgumentsAsync($"{system}.address-changes");
        Assert.NotNull(endpoint);
        Assert.Equal("quorum", endpoint["x-queue-type"]);
        Assert.Equal("20", endpoint["x-delivery-limit"]);
        var error = await Broker.Management.ArgumentsAsync($"{system}.address-changes_error");
        Assert.NotNull(error);
        Assert.Equal("quorum", error["x-queue-type"]);

        await using var cleanup = await connection.CreateChannelAsync();
        await cleanup.QueueDeleteAsync($"{system}.address-changes");
        await cleanup.QueueDeleteAsync($"{system}.address-changes_error");
    }

    [Fact]
    public async Task A_QazBus_publisher_reaches_a_QazBus_handler_in_another_host()
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var sink = new MessageSink<AddressChanged>();
        using var consumer = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            services: s => s.AddSingleton(sink));
        await consumer.StartAsync();
        using var publisherHost = TestHosts.Build("mju.population-registry", Uri);
        await publisherHost.StartAsync();
        var publisher = publisherHost.Services.GetRequiredService<IContractPublisher>();

        var ids = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            ids.Add(await publisher.PublishAsync(new AddressChanged
            {
                Iin = $"9001023{i:D5}",
                NewAddress = new Address { Region = "Shymkent", Locality = "Shymkent", Street = $"Tauke Khan {i}" },
                ValidFrom = new DateOnly(2026, 12, 1),
            }));
        }

        foreach (var id in ids)
        {
            await sink.WaitForAsync((_, c) => c.MessageId == id);
        }

        Assert.Equal(50, sink.Received.Select(r => r.Context.MessageId).Distinct().Count());
        await consumer.StopAsync();
        await publisherHost.StopAsync();
        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync($"{system}.address-changes");
        await channel.QueueDeleteAsync($"{system}.address-changes_error");
    }

    [Fact]
    public async Task A_handler_that_keeps_failing_is_retried_then_its_message_goes_to_the_error_queue()
    {
        var system = $"kgd.tax-office-{TestHosts.Unique()}";
        var sink = new MessageSink<AddressChanged> { FailWhen = _ => true };
        using var host = TestHosts.Build(system, Uri,
            bus => bus.AddHandler<AddressChanged, RecordingHandler<AddressChanged>>("address-changes"),
            settings: new Dictionary<string, string?> { ["QazBus:Retry:ImmediateRetries"] = "2", ["QazBus:Retry:Delays"] = "none" },
            services: s => s.AddSingleton(sink));
        await host.StartAsync();
        using var publisherHost = TestHosts.Build("mju.population-registry", Uri);
        await publisherHost.StartAsync();
        var id = await publisherHost.Services.GetRequiredService<IContractPublisher>().PublishAsync(new AddressChanged
        {
            Iin = "900102300123",
            NewAddress = new Address { Region = "Almaty", Locality = "Almaty", Street = "Abay 1" },
            ValidFrom = new DateOnly(2026, 12, 1),
        });

        await using var connection = await Broker.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        BasicGetResult? dead = null;
        for (var i = 0; i < 100 && dead is null; i++)
        {
            dead = await channel.BasicGetAsync($"{system}.address-changes_error", autoAck: true);
            if (dead is null)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(dead);
        Assert.Equal(id, dead.BasicProperties.MessageId);
        var headers = dead.BasicProperties.Headers!;
        Assert.Equal("handler-failed", System.Text.Encoding.UTF8.GetString((byte[])headers["qazbus-error-reason"]!));
        Assert.Equal(3, Convert.ToInt32(headers["qazbus-attempts"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("InvalidOperationException", System.Text.Encoding.UTF8.GetString((byte[])headers["qazbus-error-exception"]!), StringComparison.Ordinal);

        await host.StopAsync();
        await publisherHost.StopAsync();
        await channel.QueueDeleteAsync($"{system}.address-changes");
        await channel.QueueDeleteAsync($"{system}.address-changes_error");
    }

    [Fact]
    public async Task A_host_whose_broker_does_not_answer_fails_at_start_naming_the_setting()
    {
        // A closed port on loopback: nothing listens there.
        var closedPort = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closedPort.Start();
        var port = ((System.Net.IPEndPoint)closedPort.LocalEndpoint).Port;
        closedPort.Stop();

        using var host = TestHosts.Build("mju.population-registry", $"amqp://guest:guest@127.0.0.1:{port}/",
            settings: new Dictionary<string, string?> { ["QazBus:RabbitMq:ConnectTimeout"] = "00:00:02" });
        var failure = await Assert.ThrowsAsync<BrokerConnectionException>(() => host.StartAsync());
        Assert.Equal(BrokerConnectionFailure.NotAnswering, failure.Failure);
        Assert.Contains("does not answer", failure.Message, StringComparison.Ordinal);
        Assert.Contains("QazBus:RabbitMq:ConnectTimeout", failure.Message, StringComparison.Ordinal);
        Assert.Contains("QazBus:RabbitMq:Uri", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_says_login_refused_at_once_through_the_transport_and_the_cli()
    {
        const string password = "not-the-password-4f1d";
        var wrong = new UriBuilder(Uri) { Password = password }.Uri;
        var vhost = Uri.TrimEnd('/')[(Uri.TrimEnd('/').LastIndexOf('/') + 1)..];
        var started = System.Diagnostics.Stopwatch.StartNew();

        // ConnectTimeout stays at 20 s: a refused login is not retried, so it fails well before that.
        using var host = TestHosts.Build("mju.population-registry", wrong.ToString());
        var failure = await Assert.ThrowsAsync<BrokerConnectionException>(() => host.StartAsync());
        Output.WriteLine(failure.Message);
        Assert.Equal(BrokerConnectionFailure.LoginRefused, failure.Failure);
        Assert.Contains("login refused", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"user '{wrong.UserInfo.Split(':')[0]}'", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"vhost '{System.Uri.UnescapeDataString(vhost)}'", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, failure.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), $"took {started.Elapsed}: the refused login was retried");

        var (exitCode, output) = await QazBusTool.RunAsync(Output, "errors", "list", "kgd.tax-office.address-changes", "--uri", wrong.ToString());
        Assert.Equal(1, exitCode);
        Assert.Contains("error: ", output, StringComparison.Ordinal);
        Assert.Contains("login refused", output, StringComparison.Ordinal);
        Assert.DoesNotContain(password, output, StringComparison.Ordinal);
    }
}
