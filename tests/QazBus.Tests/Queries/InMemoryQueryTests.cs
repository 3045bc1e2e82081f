using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QazBus.Contracts.Population;
using QazBus.Queries;
using QazBus.TestSupport;
using QazBus.Transport.InMemory;

namespace QazBus.Tests.Queries;

/// <summary>Queries on the embedded default (the in-memory transport): the same API and answers as over RabbitMQ.</summary>
public sealed class InMemoryQueryTests : IAsyncLifetime
{
    private const string Provider = "mju.population-registry";
    private const string Requester = "kgd.tax-office";

    private readonly InMemoryBroker _broker = new();
    private IHost? _provider;
    private IHost? _requester;

    public async Task InitializeAsync()
    {
        _provider = TestHosts.Build(Provider, null,
            bus => bus.AddQueryHandler<CitizenByIin, CitizenCard, Cards>("citizen-queries"),
            services: s => s.AddSingleton(_broker).AddSingleton<IQueryAccessPolicy>(new Only(Requester)));
        _requester = TestHosts.Build(Requester, null, services: s => s.AddSingleton(_broker));
        await _provider.StartAsync();
        await _requester.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in new[] { _requester, _provider })
        {
            if (host is not null)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }
    }

    private IQueryClient Client => _requester!.Services.GetRequiredService<IQueryClient>();

    [Fact]
    public async Task A_question_is_answered()
    {
        var card = await Client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = "900101300123" }, TimeSpan.FromSeconds(5));

        Assert.Equal("Абаев", card.LastName);
    }

    [Fact]
    public async Task No_data_reaches_the_requester_typed()
    {
        var rejected = await Assert.ThrowsAsync<NoDataException>(() => Client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = "900101300999" }, TimeSpan.FromSeconds(5)));

        Assert.Equal(Provider, rejected.Provider);
        Assert.Equal(QueryRejectionCode.NoData, rejected.Code);
    }

    [Fact]
    public async Task A_request_that_breaks_the_contract_is_refused_before_it_is_sent()
    {
        var error = await Assert.ThrowsAsync<global::QazBus.Validation.ContractValidationException>(() => Client.RequestAsync<CitizenByIin, CitizenCard>(new CitizenByIin { Iin = "12345" }, TimeSpan.FromSeconds(5)));

        Assert.Contains("iin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_asynchronous_request_needs_a_response_handler()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Client.SendRequestAsync(new CitizenByIin { Iin = "900101300123" }, TimeSpan.FromMinutes(1)));

        Assert.Contains("AddQueryResponseHandler", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_without_the_registry_rights_does_not_start()
    {
        using var host = TestHosts.Build(Provider, null,
            bus => bus.AddQueryHandler<CitizenByIin, CitizenCard, Cards>("citizen-queries"),
            services: s => s.AddSingleton(new InMemoryBroker()));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("QazBus:Registry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endpoint_does_not_mix_queries_and_events()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestHosts.Build(Provider, null, bus => bus
            .AddQueryHandler<CitizenByIin, CitizenCard, Cards>("citizens")
            .AddHandler<AddressChanged, Noop>("citizens")));

        Assert.Contains("cannot mix queries and events", error.Message, StringComparison.Ordinal);
    }

    private sealed class Cards : IQueryHandler<CitizenByIin, CitizenCard>
    {
        public Task<CitizenCard> HandleAsync(CitizenByIin request, QueryContext context, CancellationToken cancellationToken) =>
            request.Iin == "900101300123"
                ? Task.FromResult(new CitizenCard { Iin = request.Iin, LastName = "Абаев", FirstName = "Нұрлан", BirthDate = new DateOnly(1990, 1, 1), UpdatedAt = DateTimeOffset.UtcNow })
                : throw new NoDataException("No citizen with this IIN.");
    }

    private sealed class Noop : Handling.IContractHandler<AddressChanged>
    {
        public Task HandleAsync(AddressChanged message, Handling.MessageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Only(string requester) : IQueryAccessPolicy
    {
        public bool MayAsk(string asking, string query, int version) => asking == requester;
    }
}
