using QazBus.Schemas.Registry;

namespace QazBus.IntegrationTests;

/// <summary>Files of the repository the tests read: the sample registry and the committed definitions.</summary>
internal static class RepositoryFiles
{
    public static string Find(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>deploy/registry/registry.json, the registry the committed definitions come from.</summary>
    public static BusRegistry SampleRegistry()
    {
        Assert.True(RegistryDocument.TryParse(File.ReadAllText(Find("deploy/registry/registry.json")), out var document, out var problem), problem?.ToString());
        return document!.Registry;
    }
}
