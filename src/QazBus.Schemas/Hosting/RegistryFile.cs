using QazBus.Configuration;
using QazBus.Schemas.Registry;

namespace QazBus.Schemas.Hosting;

/// <summary>
/// The registry file named by <c>QazBus:Registry</c>, read once: for the start-up check of the options and for every
/// service <c>UseRegistry()</c> takes from it.
/// </summary>
internal sealed class RegistryFile
{
    private const string Key = $"{QazBusOptions.SectionName}:Registry";

    private readonly Lock _gate = new();
    private string? _path;
    private RegistryDocument? _document;
    private string? _error;

    /// <summary>The registry at <paramref name="path"/>, or an error naming the key and the place in the file.</summary>
    public bool TryRead(string? path, out RegistryDocument? document, out string? error)
    {
        lock (_gate)
        {
            if (_path is null || _path != path)
            {
                (_document, _error) = Load(path);
                _path = path;
            }

            document = _document;
            error = _error;
            return document is not null;
        }
    }

    /// <summary>Reads the file again, whatever was read before: it changed.</summary>
    public bool TryReload(string? path, out RegistryDocument? document, out string? error)
    {
        lock (_gate)
        {
            (var loaded, error) = Load(path);
            if (loaded is not null)
            {
                (_document, _error, _path) = (loaded, null, path);
            }

            document = loaded;
            return loaded is not null;
        }
    }

    /// <summary>A relative path is the current directory's, or else the application's (a file shipped beside it).</summary>
    public static string Resolve(string path) =>
        !Path.IsPathRooted(path) && !File.Exists(path) && File.Exists(Path.Combine(AppContext.BaseDirectory, path))
            ? Path.Combine(AppContext.BaseDirectory, path)
            : path;

    /// <summary>The registry at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">It is not set, cannot be read or is no valid registry.</exception>
    public RegistryDocument Read(string? path) =>
        TryRead(path, out var document, out var error) ? document! : throw new InvalidOperationException(error);

    private static (RegistryDocument? Document, string? Error) Load(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return (null, $"{Key} is required by UseRegistry(): set it to the registry file (deploy/registry/registry.json), whose approved query requesters and public keys this system trusts.");
        }

        path = Resolve(path);

        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return (null, $"{Key} '{path}' cannot be read: {exception.Message}");
        }

        if (!RegistryDocument.TryParse(json, out var document, out var problem))
        {
            return (null, Invalid(path, problem!));
        }

        // The keys are imported when a signature is first verified; a bad one found now is named with its line
        // instead of surfacing later as a CryptographicException.
        var systems = document!.Registry.Systems;
        for (var i = 0; i < systems.Count; i++)
        {
            for (var k = 0; k < systems[i].PublicKeys.Count; k++)
            {
                var key = systems[i].PublicKeys[k];
                var keyPath = $"$.systems[{i}].publicKeys[{k}]";
                var (field, message) = !PublicKeyAlgorithms.All.Contains(key.Algorithm)
                    ? ("algorithm", $"key algorithm '{key.Algorithm}' is not one of {string.Join(", ", PublicKeyAlgorithms.All)}")
                    : ("key", RegistryValidator.KeyProblem(key) is { } keyProblem ? $"key '{key.Id}' of system '{systems[i].Id}': {keyProblem}" : null);
                if (message is not null)
                {
                    return (null, Invalid(path, new RegistryProblem($"{keyPath}.{field}", document.LineOf($"{keyPath}.{field}"), message)));
                }
            }
        }

        return (document, null);
    }

    private static string Invalid(string path, RegistryProblem problem)
    {
        var place = problem.Line is { } line ? $"{path}:{line}" : path;
        return $"{Key} '{path}' is not a valid registry: {place}: {problem.Path}: {problem.Message} (run 'qazbus registry check --registry {path}' for every problem).";
    }
}
