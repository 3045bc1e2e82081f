using System.Text.Json;
using QazBus.Naming;
using QazBus.Signing;

namespace QazBus.Cli.Commands;

/// <summary><c>qazbus keys new</c>: a signing key pair for a system, and its registry entry.</summary>
internal static class KeysCommands
{
    public static Command Create(CliContext context)
    {
        var command = new Command("keys", "Signing keys of systems.");
        var system = new Option<string>("--system") { Description = "The system id, e.g. mju.population-registry.", Required = true, HelpName = "ID" };
        var keyId = new Option<string>("--key-id") { Description = "The key id within the system. Default: the current year and month, e.g. 2026-11.", HelpName = "ID" };
        var output = new Option<string>("--out") { Description = "Where to write the private key (PKCS#8 PEM, readable by its owner only). Required.", Required = true, HelpName = "FILE" };
        var create = new Command("new", "Create an ECDSA P-256 key pair: the private key goes to --out, the registry entry (public key) is printed.")
        {
            system, keyId, output,
        };
        create.SetAction(parseResult => context.Run(() => New(context, parseResult.GetValue(system)!, parseResult.GetValue(keyId), parseResult.GetValue(output)!)));
        command.Subcommands.Add(create);
        return command;
    }

    private static int New(CliContext context, string system, string? keyId, string output)
    {
        if (!BusNames.IsValidSystemId(system))
        {
            throw CliException.Usage($"'{system}' is not a system id ('{{agency}}.{{system}}' in lowercase a-z, 0-9 and '-')");
        }

        var path = context.Resolve(output);
        if (File.Exists(path))
        {
            throw CliException.Usage($"{output} exists; refusing to overwrite a private key");
        }

        var id = keyId ?? DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var (privatePem, publicPem) = MessageSignature.CreateKeyPair();
        File.WriteAllText(path, privatePem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var entry = JsonSerializer.Serialize(new { id, algorithm = "ecdsa-p256", key = RegistryKey(publicPem) }, Wire.BusJson.Options);
        context.Console.MarkupLine($"[green]wrote[/] the private key of {Markup.Escape(system)} to {Markup.Escape(output)}: mount it as a secret, set QazBus:Signing:KeyId={Markup.Escape(id)} and QazBus:Signing:PrivateKeyPath.");
        context.Console.MarkupLine($"Add to the system's \"publicKeys\" in the registry:");
        context.Out.WriteLine(entry);
        return ExitCodes.Ok;
    }

    /// <summary>The registry stores a public key as base64 DER SubjectPublicKeyInfo: the PEM body on one line.</summary>
    internal static string RegistryKey(string publicPem) =>
        string.Concat(publicPem.Split('\n').Where(line => line.Length > 0 && !line.StartsWith("-----", StringComparison.Ordinal)).Select(line => line.Trim()));
}
