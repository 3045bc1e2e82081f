namespace QazBus.Schemas.Tests;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string SchemasDirectory => Path.Combine(Root, "src", "QazBus.Contracts", "Schemas");

    public static string RegistryFile => Path.Combine(Root, "deploy", "registry", "registry.json");

    /// <summary>
    /// The registry the checks' tests edit: a copy of the sample registry as it was, kept apart so that an agency
    /// added to the live registry (what an integrator does) moves no place these tests name.
    /// </summary>
    public static string RegistryFixture => Path.Combine(Root, "tests", "QazBus.Schemas.Tests", "Registry", "registry-fixture.json");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "QazBus.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No QazBus.sln above {AppContext.BaseDirectory}.");
    }
}
