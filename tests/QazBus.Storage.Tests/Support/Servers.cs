using QazBus.TestSupport;

namespace QazBus.Storage.Tests.Support;

/// <summary>The shared PostgreSQL and RabbitMQ of this test assembly, found once.</summary>
internal static class Servers
{
    private static readonly Lazy<Task<PostgresFixture>> Postgres = new(async () =>
    {
        var fixture = new PostgresFixture();
        await fixture.InitializeAsync();
        return fixture;
    });

    private static readonly Lazy<Task<RabbitMqFixture>> RabbitMq = new(async () =>
    {
        var fixture = new RabbitMqFixture();
        await fixture.InitializeAsync();
        return fixture;
    });

    public static Task<PostgresFixture> PostgresAsync() => Postgres.Value;

    public static Task<RabbitMqFixture> RabbitMqAsync() => RabbitMq.Value;
}
