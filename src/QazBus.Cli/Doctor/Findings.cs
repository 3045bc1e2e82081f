namespace QazBus.Cli.Doctor;

/// <summary>
/// What <c>qazbus doctor</c> found, printed as it goes: one line per finding, <c>ok …</c> or <c>FAIL …: what to do</c>.
/// </summary>
/// <remarks>
/// Printed at once rather than collected: a broker that takes its connect timeout to answer should not hide the
/// findings before it. A FAIL line carries its fix, so an integrator reads what to do without a manual.
/// </remarks>
internal sealed class Findings(CliContext context)
{
    /// <summary>How many checks passed.</summary>
    public int Passed { get; private set; }

    /// <summary>How many findings need a fix.</summary>
    public int Failed { get; private set; }

    /// <summary>A check that passed.</summary>
    public void Ok(string text)
    {
        Passed++;
        context.Console.MarkupLine($"[green]ok[/]   {Markup.Escape(text)}");
    }

    /// <summary>A finding: what is wrong, then what to do about it.</summary>
    public void Fail(string text)
    {
        Failed++;
        context.Console.MarkupLine($"[red]FAIL[/] {Markup.Escape(text)}");
    }

    /// <summary>The closing line and the exit code: 1 when anything needs a fix.</summary>
    public int Summarize(string system)
    {
        var passed = Counts.Of(Passed, "check");
        if (Failed == 0)
        {
            context.Console.MarkupLine($"[green]OK[/]: {Markup.Escape(system)}: {passed} passed.");
            return ExitCodes.Ok;
        }

        context.Console.MarkupLine($"[red]FAILED[/]: {Markup.Escape(system)}: {Markup.Escape(Counts.Of(Failed, "finding"))} to fix, {passed} passed.");
        return ExitCodes.Failed;
    }
}
