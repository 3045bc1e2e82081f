namespace QazBus.Hosting.Tests.Support;

/// <summary>Files of this repository, found from the test's output folder upwards.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "QazBus.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"QazBus.sln not found above {AppContext.BaseDirectory}.");
    }
}
