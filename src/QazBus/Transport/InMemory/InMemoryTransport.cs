namespace QazBus.Transport.InMemory;

/// <summary>The in-memory transport over an <see cref="InMemoryBroker"/>: same acknowledgement rules as RabbitMQ.</summary>
internal sealed class InMemoryTransport(InMemoryBroker broker) : IBusTransport
{
    public bool IsConnected => true;

    public Task<long?> GetQueueDepthAsync(string queue, CancellationToken cancellationToken) =>
        Task.FromResult<long?>(broker.Queues.Contains(queue) ? broker.CountOf(queue) : null);

    public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeclareExchangeAsync(string exchange, CancellationToken cancellationToken)
    {
        broker.DeclareExchange(exchange);
        return Task.CompletedTask;
    }

    public Task DeclareEndpointAsync(string queue, IReadOnlyCollection<string> exchanges, CancellationToken cancellationToken)
    {
        broker.DeclareQueue(queue);
        broker.DeclareQueue(Naming.BusNames.ErrorQueue(queue));
        foreach (var exchange in exchanges)
        {
            broker.DeclareExchange(exchange);
            broker.Bind(queue, exchange);
        }

        return Task.CompletedTask;
    }

    public Task PublishAsync(string exchange, TransportMessage message, CancellationToken cancellationToken)
    {
        broker.Publish(exchange, message);
        return Task.CompletedTask;
    }

    public Task SendToErrorQueueAsync(string errorQueue, TransportMessage message, CancellationToken cancellationToken)
    {
        broker.Send(errorQueue, message);
        return Task.CompletedTask;
    }

    public Task SendDelayedAsync(string queue, TransportMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        // Nothing in memory survives the process anyway; a timer is the in-memory delay queue.
        _ = Task.Delay(delay, CancellationToken.None).ContinueWith(_ => broker.Send(queue, message), TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task SendReplyAsync(string replyTo, TransportMessage message, CancellationToken cancellationToken)
    {
        broker.Reply(replyTo, message);
        return Task.CompletedTask;
    }

    public Task<IRequestChannel> OpenRequestChannelAsync(Func<TransportMessage, Task> onReply, CancellationToken cancellationToken) =>
        Task.FromResult<IRequestChannel>(new RequestChannel(broker, broker.OpenReplyAddress(onReply)));

    private sealed class RequestChannel(InMemoryBroker broker, string address) : IRequestChannel
    {
        public string ReplyTo => address;

        public Task PublishAsync(string exchange, TransportMessage message, CancellationToken cancellationToken)
        {
            if (!broker.IsRouted(exchange))
            {
                throw new InvalidOperationException($"No queue is bound to '{exchange}': no provider answers this query.");
            }

            broker.Publish(exchange, message);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            broker.CloseReplyAddress(address);
            return ValueTask.CompletedTask;
        }
    }

    public Task<IBusConsumer> ConsumeAsync(
        string queue,
        ConsumerSettings settings,
        Func<TransportMessage, CancellationToken, Task> onMessage,
        CancellationToken cancellationToken)
    {
        var consumer = new Consumer(broker, queue, settings.ConcurrencyLimit, onMessage);
        return Task.FromResult<IBusConsumer>(consumer);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Consumer : IBusConsumer
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _workers;
        private volatile TaskCompletionSource _running = CompletedGate();

        public Task PauseAsync()
        {
            _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return Task.CompletedTask;
        }

        public Task ResumeAsync()
        {
            _running.TrySetResult();
            return Task.CompletedTask;
        }

        private static TaskCompletionSource CompletedGate()
        {
            var gate = new TaskCompletionSource();
            gate.SetResult();
            return gate;
        }

        public Consumer(InMemoryBroker broker, string queue, int concurrency, Func<TransportMessage, CancellationToken, Task> onMessage)
        {
            var reader = broker.Reader(queue);
            _workers = Enumerable.Range(0, concurrency)
                .Select(_ => Task.Run(() => WorkAsync(broker, queue, reader, onMessage, _stop.Token)))
                .ToArray();
        }

        private async Task WorkAsync(
            InMemoryBroker broker,
            string queue,
            System.Threading.Channels.ChannelReader<TransportMessage> reader,
            Func<TransportMessage, CancellationToken, Task> onMessage,
            CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                TransportMessage message;
                try
                {
                    await _running.Task.WaitAsync(stop).ConfigureAwait(false);
                    message = await reader.ReadAsync(stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                try
                {
                    await onMessage(message, CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Like a broker, a failed callback means "not acknowledged": the message goes back.
                catch (Exception)
#pragma warning restore CA1031
                {
                    broker.Send(queue, Redeliver(message));
                }
            }
        }

        private static TransportMessage Redeliver(TransportMessage message) => message with { Redelivered = true };

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_workers).ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}
