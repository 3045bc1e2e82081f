using System.Diagnostics;
using System.Globalization;

namespace QazBus.Benchmarks;

/// <summary>CPU and memory readings: this process (the client), the broker's OS process when known, the whole machine.</summary>
internal static class Machine
{
    private static readonly Process Self = Process.GetCurrentProcess();

    /// <summary>CPU time of this process: publisher and consumer together, not the broker.</summary>
    public static TimeSpan ClientCpu()
    {
        Self.Refresh();
        return Self.TotalProcessorTime;
    }

    public static double PeakRssMb()
    {
        Self.Refresh();
        return Self.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>
    /// Resets the kernel's peak-RSS mark of this process (Linux: "5" into /proc/self/clear_refs), so each scenario
    /// reports its own peak rather than the largest of the run so far.
    /// </summary>
    public static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>CPU seconds used so far by the processes <paramref name="pids"/> together (user + system), or null.</summary>
    public static double? ProcessCpuSeconds(IReadOnlyList<int> pids)
    {
        if (pids.Count == 0)
        {
            return null;
        }

        var sum = 0.0;
        foreach (var pid in pids)
        {
            if (Stat(pid) is not { } stat)
            {
                return null;
            }

            sum += stat.Own;
        }

        return sum;
    }

    /// <summary>
    /// CPU seconds of <paramref name="pid"/>, its live children and the children it has reaped (PostgreSQL's
    /// backends come and go with the pool; the postmaster's cutime/cstime keep the ones that exited), or null.
    /// </summary>
    public static double? ProcessTreeCpuSeconds(int? pid)
    {
        if (pid is null || Stat(pid.Value) is not { } root)
        {
            return null;
        }

        var sum = root.Own + root.Reaped;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var child)
                && Stat(child) is { } stat && stat.Parent == pid)
            {
                sum += stat.Own;
            }
        }

        return sum;
    }

    private static (double Own, double Reaped, int Parent)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name in parentheses (1-based): state 3, ppid 4, utime 14, stime 15,
            // cutime 16, cstime 17; in clock ticks, USER_HZ = 100 on Linux.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double Ticks(int field) => long.Parse(fields[field - 3], CultureInfo.InvariantCulture) / 100.0;
            return (Ticks(14) + Ticks(15), Ticks(16) + Ticks(17), int.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Busy and total jiffies of all cores, from /proc/stat.</summary>
    public static (long Busy, long Total) MachineJiffies()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + (values.Length > 4 ? values[4] : 0);
            var total = values.Take(8).Sum();
            return (total - idle, total);
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }

    /// <summary>The broker's OS PIDs: --broker-pid (repeated for a cluster), else the pid file of eng/rabbitmq.sh's QAZBUS_RABBITMQ_HOME.</summary>
    public static IReadOnlyList<int> FindBrokerPids(IReadOnlyList<int> given) =>
        given.Count > 0 ? given : PidFrom("QAZBUS_RABBITMQ_HOME", "rabbitmq.pid") is { } pid ? [pid] : [];

    /// <summary>PostgreSQL's postmaster: --postgres-pid, else the pid file of eng/postgres.sh's QAZBUS_POSTGRES_HOME.</summary>
    public static int? FindPostgresPid(int? given) => given ?? PidFrom("QAZBUS_POSTGRES_HOME", Path.Combine("data", "postmaster.pid"));

    private static int? PidFrom(string homeVariable, string file)
    {
        var home = Environment.GetEnvironmentVariable(homeVariable);
        var pidFile = home is null ? null : Path.Combine(home, file);
        return pidFile is not null && File.Exists(pidFile)
            && int.TryParse(File.ReadLines(pidFile).FirstOrDefault()?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && File.Exists($"/proc/{pid}/stat")
                ? pid
                : null;
    }

    public static string Describe()
    {
        var cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }

        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores ({cpu}), {memory:F0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, " +
               $"GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}";
    }
}
