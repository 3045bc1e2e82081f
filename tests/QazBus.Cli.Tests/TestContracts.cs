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

/// <summary>The same contract while still a draft: committed as a draft, then changed in a way that breaks a published version.</summary>
public static class DraftPersonChangedBirthDate
{
    [Contract("test.cli.person-registered", 1)]
    [ContractDraft]
    public sealed record Before
    {
        public required string Iin { get; init; }

        public required DateOnly BirthDate { get; init; }
    }

    [Contract("test.cli.person-registered", 1)]
    [ContractDraft]
    public sealed record After
    {
        public required string Iin { get; init; }

        public required DateTimeOffset BirthDate { get; init; }
    }
}

#pragma warning restore CA1034
