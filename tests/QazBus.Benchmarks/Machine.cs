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

    /// <summary>CPU seconds used so far by process <paramref name="pid"/> (user + system), or null.</summary>
    public static double? ProcessCpuSeconds(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name in parentheses: state is field 3, utime 14, stime 15 (1-based).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / 100.0; // USER_HZ is 100 on Linux
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

    /// <summary>The broker's OS PID: --broker-pid, else the pid file of eng/rabbitmq.sh's QAZBUS_RABBITMQ_HOME.</summary>
    public static int? FindBrokerPid(int? given)
    {
        if (given is not null)
        {
            return given;
        }

        var home = Environment.GetEnvironmentVariable("QAZBUS_RABBITMQ_HOME");
        var pidFile = home is null ? null : Path.Combine(home, "rabbitmq.pid");
        if (pidFile is not null && File.Exists(pidFile)
            && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && File.Exists($"/proc/{pid}/stat"))
        {
            return pid;
        }

        return null;
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
