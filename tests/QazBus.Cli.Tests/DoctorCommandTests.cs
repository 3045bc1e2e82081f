using System.Text.Json.Nodes;
using QazBus.Schemas.Registry;
using QazBus.Signing;

namespace QazBus.Cli.Tests;

/// <summary>
/// <c>qazbus doctor</c> on the real broker: the definitions generated from a registry are loaded into a fresh vhost and
/// the system is checked as its own generated user, as an operator would before it goes live.
/// </summary>
public sealed class DoctorCommandTests : IDisposable
{
    private const string TaxOffice = "kgd.tax-office";

    private readonly string _directory = Directory.CreateTempSubdirectory("qazbus-doctor-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string RealRegistryJson => File.ReadAllText(Path.Combine(Cli.RepositoryRoot, "deploy", "registry", "registry.json"));

    [Fact]
    public async Task All_ok_for_the_tax_office_as_its_generated_user_under_the_generated_permissions()
    {
        await using var broker = await GeneratedBroker.StartAsync(Parse(RealRegistryJson));

        var run = await Cli.RunInRepositoryAsync("doctor", "--system", TaxOffice, "--uri", broker.UriOf(TaxOffice), "--managed-topology");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = Lines(run);
        Assert.DoesNotContain(lines, l => l.StartsWith("FAIL ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok   registry deploy/registry/registry.json: passes the check", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok   definitions deploy/rabbitmq/definitions.json: what the registry generates", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok   catalog docs/catalog.md: what the registry and the contracts in code generate", StringComparison.Ordinal));
        Assert.Contains($"ok   broker: connected to RabbitMQ at 127.0.0.1:", run.Output, StringComparison.Ordinal);
        Assert.Contains($"vhost '{broker.Vhost}' as '{TaxOffice}'", run.Output, StringComparison.Ordinal);
        // v2's handler upcasts v1: the queue is bound to both, both approved in the live registry.
        Assert.Contains(lines, l => l.StartsWith("ok   endpoint kgd.tax-office.citizens", StringComparison.Ordinal)
            && l.EndsWith("bound to mju.population.citizen-registered.v1, mju.population.citizen-registered.v2", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok   endpoint kgd.tax-office.address-changes", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok   endpoint kgd.tax-office.replies", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok   managed topology: the broker refuses kgd.tax-office to declare", StringComparison.Ordinal));
        Assert.Matches(@"^OK: kgd\.tax-office: \d+ checks passed\.$", lines[^1]);
        // Declared by the system's own user, under the generated permissions.
        Assert.True(await broker.QueueExistsAsync("kgd.tax-office.citizens"));
        Assert.True(await broker.QueueExistsAsync("kgd.tax-office.citizens_error"));
    }

    [Fact]
    public async Task A_v2_subscription_whose_handler_upcasts_v1_without_the_v1_subscription_is_reported_with_its_fix()
    {
        // The registry example as it was: the tax office subscribed to citizen-registered v2 only.
        var registry = JsonNode.Parse(RealRegistryJson)!.AsObject();
        var subscriptions = registry["subscriptions"]!.AsArray();
        subscriptions.Remove(subscriptions.Single(s => (string?)s!["system"] == TaxOffice && (string?)s["endpoint"] == "citizens" && (int?)s["version"] == 1));
        var file = Write("registry.json", registry.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        await using var broker = await GeneratedBroker.StartAsync(Parse(File.ReadAllText(file)));

        var run = await Cli.RunInRepositoryAsync("doctor", "--system", TaxOffice, "--registry", file, "--uri", broker.UriOf(TaxOffice), "--managed-topology");

        Assert.True(run.ExitCode == 1, run.ToString());
        var lines = Lines(run);
        // The registry check's finding, with its place and what to approve...
        var check = Assert.Single(lines, l => l.StartsWith($"FAIL registry {file}:", StringComparison.Ordinal));
        Assert.Contains("receives 'mju.population.citizen-registered' v2, whose handler also receives v1 through the upcaster in code", check, StringComparison.Ordinal);
        Assert.Contains("approve that too (a subscription of 'kgd.tax-office' at 'citizens' to 'mju.population.citizen-registered' v1)", check, StringComparison.Ordinal);
        // ...and what the broker does to the host that binds v1 as the SDK does: refused, named, with the fix.
        var refused = Assert.Single(lines, l => l.StartsWith("FAIL endpoint kgd.tax-office.citizens", StringComparison.Ordinal));
        Assert.Contains("a binding of the queue 'kgd.tax-office.citizens' to the exchange 'mju.population.citizen-registered.v1'", refused, StringComparison.Ordinal);
        Assert.Contains("ACCESS_REFUSED", refused, StringComparison.Ordinal);
        Assert.Contains("add the subscription to the registry, regenerate the definitions and load them into the broker", refused, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("ok   endpoint kgd.tax-office.address-changes", StringComparison.Ordinal));
        // The committed definitions bind v1 for the live registry; regenerating waits for the registry's fix.
        Assert.Contains($"FAIL definitions deploy/rabbitmq/definitions.json: stale, not what the registry generates: fix the registry's problems above, then run qazbus topology --registry {file} --out deploy/rabbitmq/definitions.json and commit it", lines);
        Assert.StartsWith("FAILED: kgd.tax-office: ", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stale_definitions_are_reported_with_the_command_that_regenerates_them()
    {
        var committed = File.ReadAllText(Path.Combine(Cli.RepositoryRoot, "deploy", "rabbitmq", "definitions.json"));
        // As if a subscription had been added to the registry and the definitions not regenerated.
        var stale = Write("definitions.json", committed.Replace("\"kgd.tax-office.address-changes\"", "\"kgd.tax-office.address-change\"", StringComparison.Ordinal));
        Assert.NotEqual(committed, File.ReadAllText(stale));

        var run = await Cli.RunInRepositoryAsync("doctor", "--system", TaxOffice, "--definitions", stale);

        Assert.True(run.ExitCode == 1, run.ToString());
        var line = Assert.Single(Lines(run), l => l.StartsWith("FAIL ", StringComparison.Ordinal));
        Assert.Equal($"FAIL definitions {stale}: stale, not what the registry generates: run qazbus topology --out {stale} and commit it", line);
        Assert.Matches(@"^FAILED: kgd\.tax-office: 1 finding to fix, \d+ checks passed\.$", Lines(run)[^1]);
    }

    [Fact]
    public async Task A_stale_catalog_is_reported_with_the_command_that_regenerates_it()
    {
        var committed = File.ReadAllText(Path.Combine(Cli.RepositoryRoot, "docs", "catalog.md"));
        var stale = Write("catalog.md", committed.Replace("Population registry", "Population register", StringComparison.Ordinal));
        Assert.NotEqual(committed, File.ReadAllText(stale));

        var run = await Cli.RunInRepositoryAsync("doctor", "--system", TaxOffice, "--catalog", stale);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"FAIL catalog {stale}: stale, not what the registry and the contracts in code generate: run qazbus catalog --out {stale} and commit it", Lines(run));
        Assert.Contains(Lines(run), l => l.StartsWith("ok   definitions deploy/rabbitmq/definitions.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_binding_the_broker_does_not_approve_is_an_ACCESS_REFUSED_finding_not_a_crash()
    {
        // The broker runs definitions generated before the address-changes subscription was approved.
        var older = JsonNode.Parse(RealRegistryJson)!.AsObject();
        var subscriptions = older["subscriptions"]!.AsArray();
        subscriptions.Remove(subscriptions.Single(s => (string?)s!["system"] == TaxOffice && (string?)s["endpoint"] == "address-changes"));
        await using var broker = await GeneratedBroker.StartAsync(Parse(older.ToJsonString()));

        var run = await Cli.RunInRepositoryAsync("doctor", "--system", TaxOffice, "--uri", broker.UriOf(TaxOffice), "--managed-topology");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Empty(run.Error);
        var lines = Lines(run);
        var refused = Assert.Single(lines, l => l.StartsWith("FAIL ", StringComparison.Ordinal));
        Assert.StartsWith("FAIL endpoint kgd.tax-office.address-changes (receives mju.population.address-changed v1): RabbitMQ refused system 'kgd.tax-office' to declare a binding of the queue 'kgd.tax-office.address-changes' to the exchange 'mju.population.address-changed.v1' (403: ACCESS_REFUSED", refused, StringComparison.Ordinal);
        Assert.EndsWith("add the subscription to the registry, regenerate the definitions and load them into the broker.", refused, StringComparison.Ordinal);
        // The refusal closed its own channel only: the next endpoints and checks still ran.
        Assert.Contains(lines, l => l.StartsWith("ok   endpoint kgd.tax-office.citizens", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok   managed topology", StringComparison.Ordinal));
        Assert.Matches(@"^FAILED: kgd\.tax-office: 1 finding to fix, \d+ checks passed\.$", lines[^1]);
    }

    [Fact]
    public async Task A_system_left_unmanaged_on_the_generated_permissions_is_told_to_set_ManagedTopology()
    {
        await using var broker = await GeneratedBroker.StartAsync(Parse(RealRegistryJson));

        var run = await Cli.RunInRepositoryAsync("doctor", "--system", TaxOffice, "--uri", broker.UriOf(TaxOffice));

        Assert.True(run.ExitCode == 1, run.ToString());
        var line = Assert.Single(Lines(run), l => l.StartsWith("FAIL ", StringComparison.Ordinal));
        Assert.Equal(
            "FAIL managed topology: the broker refused kgd.tax-office to declare mju.population.address-changed.v1, which it does not own (403 ACCESS_REFUSED), as it refuses the host at start: " +
            "this broker runs the generated permissions: set QazBus:RabbitMq:ManagedTopology=true (QazBus__RabbitMq__ManagedTopology=true), then run doctor with --managed-topology",
            line);
    }

    [Fact]
    public async Task A_refused_login_is_a_finding_naming_user_and_vhost()
    {
        await using var broker = await GeneratedBroker.StartAsync(Parse(RealRegistryJson));

        var run = await Cli.RunInRepositoryAsync("doctor", "--system", TaxOffice, "--uri", broker.UriOf(TaxOffice, password: "not-its-password"), "--managed-topology");

        Assert.True(run.ExitCode == 1, run.ToString());
        var line = Assert.Single(Lines(run), l => l.StartsWith("FAIL ", StringComparison.Ordinal));
        Assert.Contains($"login refused for user 'kgd.tax-office' on vhost '{broker.Vhost}'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("not-its-password", run.Output + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Lines(run), l => l.StartsWith("ok   endpoint", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_signing_key_that_is_not_the_registrys_is_reported_and_the_right_one_passes()
    {
        var (registered, registeredPublic) = MessageSignature.CreateKeyPair();
        var (other, _) = MessageSignature.CreateKeyPair();
        var registry = JsonNode.Parse(RealRegistryJson)!.AsObject();
        var system = registry["systems"]!.AsArray().Single(s => (string?)s!["id"] == TaxOffice)!;
        var publicKey = string.Concat(registeredPublic.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)));
        system["publicKeys"] = new JsonArray(new JsonObject { ["id"] = "2026-11", ["algorithm"] = "ecdsa-p256", ["key"] = publicKey });
        var file = Write("registry.json", registry.ToJsonString());
        var right = Write("right.pem", registered);
        var wrong = Write("wrong.pem", other);
        Write("broken.pem", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");

        async Task<List<string>> SigningLines(string key, string keyId)
        {
            var run = await Cli.RunAsync(_directory, null, "doctor", "--system", TaxOffice, "--registry", "registry.json", "--signing-key", key, "--key-id", keyId,
                "--definitions", Path.Combine(Cli.RepositoryRoot, "deploy", "rabbitmq", "definitions.json"), "--catalog", Path.Combine(Cli.RepositoryRoot, "docs", "catalog.md"));
            return [.. Lines(run).Where(l => l.Contains("signing key", StringComparison.Ordinal) && !l.StartsWith("ok   system", StringComparison.Ordinal))];
        }

        var matching = await SigningLines("right.pem", "2026-11");
        var mismatched = await SigningLines("wrong.pem", "2026-11");
        var unknownId = await SigningLines("right.pem", "2027-01");
        var broken = await SigningLines("broken.pem", "2026-11");
        var missing = await SigningLines("missing.pem", "2026-11");

        Assert.Equal(["ok   signing key right.pem: loads (ECDSA, 256 bits)", "ok   signing key right.pem: matches the registry's public key '2026-11' of kgd.tax-office"], matching);
        Assert.Equal("ok   signing key wrong.pem: loads (ECDSA, 256 bits)", mismatched[0]);
        Assert.StartsWith("FAIL signing key wrong.pem: does not match the registry's public key '2026-11' of kgd.tax-office, so every consumer would dead-letter its messages (signature-invalid): " +
            "add the public key printed by qazbus keys new to the registry's \"publicKeys\" of kgd.tax-office; for this key: {\"id\":\"2026-11\",\"algorithm\":\"ecdsa-p256\",\"key\":\"", mismatched[1], StringComparison.Ordinal);
        Assert.DoesNotContain(publicKey, mismatched[1], StringComparison.Ordinal);
        Assert.StartsWith("FAIL signing key right.pem: the registry has no public key '2027-01' for kgd.tax-office", unknownId[1], StringComparison.Ordinal);
        // The entry to paste is this key's public key, as `qazbus keys new` prints it.
        var entry = JsonNode.Parse(unknownId[1][(unknownId[1].IndexOf("for this key: ", StringComparison.Ordinal) + "for this key: ".Length)..])!;
        Assert.Equal(publicKey, (string?)entry["key"]);
        Assert.Equal("2027-01", (string?)entry["id"]);
        Assert.StartsWith("FAIL signing key broken.pem: not a readable PKCS#8 PEM private key", Assert.Single(broken), StringComparison.Ordinal);
        Assert.StartsWith("FAIL signing key missing.pem: not a readable PKCS#8 PEM private key (FileNotFoundException): create one with qazbus keys new --system kgd.tax-office --key-id 2026-11", Assert.Single(missing), StringComparison.Ordinal);
        Assert.Contains(right, Directory.GetFiles(_directory));
        Assert.Contains(wrong, Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_system_not_in_the_registry_is_a_finding_and_a_bad_system_id_a_usage_error()
    {
        var absent = await Cli.RunInRepositoryAsync("doctor", "--system", "mtszn.benefits");
        var invalid = await Cli.RunInRepositoryAsync("doctor", "--system", "Benefits");

        Assert.True(absent.ExitCode == 1, absent.ToString());
        Assert.Contains("FAIL system mtszn.benefits: not in deploy/registry/registry.json: add it to $.systems with its subscriptions", absent.Output, StringComparison.Ordinal);
        Assert.True(invalid.ExitCode == 2, invalid.ToString());
        Assert.StartsWith("error: 'Benefits' is not a system id", invalid.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_settings_file_stands_in_for_the_options_and_a_contradiction_is_a_usage_error()
    {
        var settings = Write("appsettings.json", """{ "QazBus": { "System": "kgd.tax-office", "Signing": { "Mode": "Off" } } }""");
        var nameless = Write("nameless.json", """{ "QazBus": { "Transport": "RabbitMq" } }""");

        var fromFile = await Cli.RunInRepositoryAsync("doctor", "--settings", settings);
        var contradicted = await Cli.RunInRepositoryAsync("doctor", "--settings", settings, "--system", "mju.population-registry");
        var missing = await Cli.RunInRepositoryAsync("doctor", "--settings", nameless);
        var neither = await Cli.RunInRepositoryAsync("doctor");

        Assert.True(fromFile.ExitCode == 0, fromFile.ToString());
        Assert.Contains("OK: kgd.tax-office", fromFile.Output, StringComparison.Ordinal);
        Assert.True(contradicted.ExitCode == 2, contradicted.ToString());
        Assert.Contains("--system mju.population-registry is not the system of", contradicted.Error, StringComparison.Ordinal);
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("has no QazBus:System and --system is not given", missing.Error, StringComparison.Ordinal);
        Assert.True(neither.ExitCode == 2, neither.ToString());
        Assert.Contains("--system or --settings is required", neither.Error, StringComparison.Ordinal);
    }

    private static BusRegistry Parse(string json) =>
        RegistryDocument.TryParse(json, out var document, out var problem) ? document!.Registry : throw new InvalidOperationException(problem!.ToString());

    private static List<string> Lines(CliRun run) => [.. run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd())];

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
