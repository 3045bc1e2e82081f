namespace QazBus.Cli.Tests;

/// <summary><c>qazbus probe</c> refuses what the command line gets wrong before it looks for a broker.</summary>
public sealed class ProbeUsageTests
{
    [Theory]
    [InlineData("no contract named 'mju.population.no-such-contract' in code (known: mju.population.address-changed,", "probe", "mju.population.no-such-contract")]
    [InlineData("contract 'mju.population.address-changed' has no version 9 in code (versions: 1)", "probe", "mju.population.address-changed", "--version", "9")]
    [InlineData("--count must be at least 1", "probe", "mju.population.address-changed", "--count", "0")]
    public async Task An_unknown_contract_or_version_or_a_bad_option_is_a_usage_error_naming_it(string message, params string[] args)
    {
        // No broker is named: these fail before any connection is tried.
        var run = await Cli.RunInRepositoryAsync(args);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: " + message, run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }
}
