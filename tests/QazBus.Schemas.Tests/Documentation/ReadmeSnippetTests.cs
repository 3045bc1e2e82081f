namespace QazBus.Schemas.Tests.Documentation;

/// <summary>The code in the READMEs and in docs/ is the samples' code, so it compiles and never goes stale.</summary>
public sealed class ReadmeSnippetTests
{
    private static string SamplesDirectory => Path.Combine(Repository.Root, "samples");

    private static IEnumerable<string> Readmes =>
        new[] { Path.Combine(Repository.Root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*.md"))
            .Concat(Directory.EnumerateFiles(SamplesDirectory, "README.md", SearchOption.AllDirectories).Where(IsSource));

    [Fact]
    public void Every_tagged_csharp_block_is_the_text_of_its_sample_region()
    {
        var regions = SampleRegions();
        var failures = new List<string>();
        foreach (var block in Readmes.SelectMany(file => Snippets.BlocksIn(Relative(file), File.ReadAllText(file))))
        {
            if (!regions.TryGetValue(block.Name, out var found))
            {
                failures.Add($"snippet '{block.Name}' in {block.File}:{block.Line}: no sample has #region {block.Name} (regions: {string.Join(", ", regions.Keys.Order(StringComparer.Ordinal))}).");
            }
            else if (found.Count > 1)
            {
                failures.Add($"snippet '{block.Name}' in {block.File}:{block.Line}: #region {block.Name} stands in {string.Join(" and ", found.Select(r => r.File))}; name one region once.");
            }
            else if (Snippets.Difference(block, found[0]) is { } difference)
            {
                failures.Add(difference);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void The_readme_quotes_agency_code_from_the_samples()
    {
        var names = Snippets.BlocksIn("README.md", File.ReadAllText(Path.Combine(Repository.Root, "README.md"))).Select(b => b.Name).ToList();

        // Registration, publishing, handling, and the same through the outbox and the inbox.
        Assert.Subset(names.ToHashSet(), new HashSet<string> { "snippet_subscriber", "snippet_publish", "snippet_storage_registration", "snippet_outbox_enqueue", "snippet_inbox_handler" });
    }

    [Fact]
    public void A_block_that_differs_from_its_region_is_reported_with_both_places()
    {
        var region = Snippets.RegionsIn("samples/X/Program.cs", "class C\n{\n    #region snippet_x\n    void M()\n    {\n    }\n    #endregion\n}\n").Single();
        var block = Snippets.BlocksIn("README.md", "Text\n<!-- snippet: snippet_x -->\n```csharp\nvoid M()\n{\n  }\n```\n").Single();
        var same = Snippets.BlocksIn("README.md", "<!-- snippet: snippet_x -->\n```csharp\n  void M()\n  {\n  }\n```\n").Single();

        var difference = Snippets.Difference(block, region);

        Assert.NotNull(difference);
        Assert.Contains("snippet 'snippet_x' in README.md:6", difference, StringComparison.Ordinal);
        Assert.Contains("samples/X/Program.cs:6", difference, StringComparison.Ordinal);
        Assert.Null(Snippets.Difference(same, region)); // indentation is normalised
    }

    [Fact]
    public void A_marker_without_a_csharp_block_after_it_is_an_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => Snippets.BlocksIn("README.md", "<!-- snippet: snippet_x -->\n\n```csharp\n```\n"));
        Assert.Contains("README.md:1", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, List<Snippets.Region>> SampleRegions() =>
        Directory.EnumerateFiles(SamplesDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(IsSource)
            .SelectMany(file => Snippets.RegionsIn(Relative(file), File.ReadAllText(file)))
            .GroupBy(r => r.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

    // Build output holds copies of nothing we quote, but may hold generated files: read sources only.
    private static bool IsSource(string path)
    {
        var separator = Path.DirectorySeparatorChar;
        return !path.Contains($"{separator}bin{separator}", StringComparison.Ordinal) && !path.Contains($"{separator}obj{separator}", StringComparison.Ordinal)
            && !path.Contains($"{separator}node_modules{separator}", StringComparison.Ordinal); // the Node sample's packages

    }

    private static string Relative(string path) => Path.GetRelativePath(Repository.Root, path).Replace('\\', '/');
}
