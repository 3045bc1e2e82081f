using Xunit;

namespace QazBus.TestSupport;

/// <summary>xUnit lifetime for <see cref="PostgresFixture"/>, for a test class (<c>IClassFixture&lt;DatabaseFixture&gt;</c>) or a collection.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    public PostgresFixture Postgres { get; } = new();

    public Task InitializeAsync() => Postgres.InitializeAsync();

    public Task DisposeAsync() => Postgres.DisposeAsync().AsTask();
}
