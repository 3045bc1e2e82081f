using QazBus.Contracts;

namespace QazBus.Cli.Tests;

#pragma warning disable CA1034 // Nested types keep each pair together and named by its change.

/// <summary>A contract as published (Before) and as edited in code (After), built for the tests.</summary>
public static class PersonChangedBirthDate
{
    [Contract("test.cli.person-registered", 1)]
    public sealed record Before
    {
        public required string Iin { get; init; }

        public required DateOnly BirthDate { get; init; }
    }

    [Contract("test.cli.person-registered", 1)]
    public sealed record After
    {
        public required string Iin { get; init; }

        public required DateTimeOffset BirthDate { get; init; }
    }
}

/// <summary>The same contract with a new optional field: a compatible change.</summary>
public static class PersonAddedPatronymic
{
    [Contract("test.cli.person-registered", 1)]
    public sealed record After
    {
        public required string Iin { get; init; }

        public required DateOnly BirthDate { get; init; }

        public string? Patronymic { get; init; }
    }
}

#pragma warning restore CA1034
