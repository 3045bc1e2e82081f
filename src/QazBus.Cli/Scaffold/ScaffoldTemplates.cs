using System.Text;

namespace QazBus.Cli.Scaffold;

/// <summary>A received contract version: its record in code and the endpoint (queue) the scaffold gives it.</summary>
internal sealed record ReceivedContract(string Name, int Version, string TypeName, string Namespace, string Endpoint);

/// <summary>A published contract version: an existing record, or a new draft record the scaffold writes.</summary>
internal sealed record PublishedContract(string Name, int Version, string TypeName, string Namespace, bool IsNew);

/// <summary>What the templates need to know about the new system.</summary>
internal sealed record ScaffoldModel(
    string System,
    string Project,
    string Description,
    string KeyId,
    IReadOnlyList<ReceivedContract> Receives,
    IReadOnlyList<PublishedContract> Publishes)
{
    public string Database => ScaffoldNames.Endpoint(System.Replace('.', '-')) + ".db";

    public bool HasDrafts => Publishes.Any(p => p.IsNew);
}

/// <summary>
/// The files of a new system, shaped after the smallest samples (Quickstart for the handler, the population registry
/// and the tax office for the outbox and the inbox): an integrator reads the same code in both places.
/// </summary>
internal static class ScaffoldTemplates
{
    public static string Project(ScaffoldModel model) => $$"""
        <Project Sdk="Microsoft.NET.Sdk.Worker">
          <PropertyGroup>
            <Description>{{Xml(model.Description)}} ({{model.System}}), scaffolded by `qazbus new system`.</Description>
            <IsPackable>false</IsPackable>
          </PropertyGroup>
          <ItemGroup>
            <ProjectReference Include="..\..\src\QazBus\QazBus.csproj" />
            <ProjectReference Include="..\..\src\QazBus.Hosting\QazBus.Hosting.csproj" />
            <ProjectReference Include="..\..\src\QazBus.Contracts\QazBus.Contracts.csproj" />
            <ProjectReference Include="..\..\src\QazBus.Storage\QazBus.Storage.csproj" />
            <ProjectReference Include="..\..\src\QazBus.Schemas\QazBus.Schemas.csproj" />
          </ItemGroup>
          <ItemGroup>
            <PackageReference Include="Microsoft.Extensions.Hosting" />
          </ItemGroup>
          <ItemGroup>
            <!-- The registry: the systems' public keys this system verifies signatures against (QazBus:Registry). -->
            <None Include="..\..\deploy\registry\registry.json" Link="registry.json" CopyToOutputDirectory="PreserveNewest" />
          </ItemGroup>
        </Project>

        """;

    public static string Program(ScaffoldModel model) => $$"""
        using {{model.Project}};

        var builder = Host.CreateApplicationBuilder(args);
        builder.AddQazBusServiceDefaults(); // what every QazBus worker shares: OpenTelemetry, health endpoints
        builder.Add{{model.Project}}();
        await builder.Build().RunAsync();

        """;

    public static string Extensions(ScaffoldModel model)
    {
        var code = new StringBuilder();
        code.AppendLine("using Microsoft.Extensions.DependencyInjection;");
        code.AppendLine("using Microsoft.Extensions.Hosting;");
        foreach (var ns in Namespaces(model).Append($"{model.Project}.Handlers").Append($"{model.Project}.Outbox").Distinct().Order(StringComparer.Ordinal))
        {
            if (ns.EndsWith(".Handlers", StringComparison.Ordinal) && model.Receives.Count == 0)
            {
                continue;
            }

            if (ns.EndsWith(".Outbox", StringComparison.Ordinal) && !(model.Receives.Count == 0 && model.Publishes.Count > 0))
            {
                continue;
            }

            code.AppendLine(CultureInfo.InvariantCulture, $"using {ns};");
        }

        code.AppendLine();
        code.AppendLine(CultureInfo.InvariantCulture, $"namespace {model.Project};");
        code.AppendLine();
        code.AppendLine(CultureInfo.InvariantCulture, $"/// <summary>Registers {Xml(model.Description)} (system <c>{model.System}</c>) in a host.</summary>");
        code.AppendLine(CultureInfo.InvariantCulture, $"public static class {model.Project}Extensions");
        code.AppendLine("{");
        foreach (var received in model.Receives.DistinctBy(r => r.Endpoint))
        {
            code.AppendLine(CultureInfo.InvariantCulture, $"    /// <summary>The endpoint receiving <c>{received.Name}</c>; its queue is <c>{model.System}.{received.Endpoint}</c>.</summary>");
            code.AppendLine(CultureInfo.InvariantCulture, $"    public const string {ScaffoldNames.Pascal(received.Endpoint)}Endpoint = \"{received.Endpoint}\";");
            code.AppendLine();
        }

        code.AppendLine("    /// <summary>");
        code.AppendLine("    /// Adds the system: the bus configured from the <c>QazBus</c> section, a handler per received contract behind the");
        code.AppendLine("    /// inbox, the outbox for what it publishes (both on the database of <c>QazBus:Storage</c>), and the registry's");
        code.AppendLine("    /// public keys for signing (<c>QazBus:Registry</c>).");
        code.AppendLine("    /// </summary>");
        code.AppendLine("    /// <param name=\"builder\">The host to add the system to.</param>");
        code.AppendLine("    /// <returns><paramref name=\"builder\"/>, to chain further registrations.</returns>");
        code.AppendLine(CultureInfo.InvariantCulture, $"    public static IHostApplicationBuilder Add{model.Project}(this IHostApplicationBuilder builder)");
        code.AppendLine("    {");
        code.AppendLine("        ArgumentNullException.ThrowIfNull(builder);");
        if (model.Receives.Count == 0)
        {
            foreach (var published in model.Publishes)
            {
                code.AppendLine(CultureInfo.InvariantCulture, $"        builder.Services.AddSingleton<{published.TypeName}Publisher>();");
            }
        }

        code.AppendLine();
        code.AppendLine("        // One endpoint (queue) per received contract: each flow has its own depth and error queue.");
        code.Append("        builder.AddQazBus()");
        foreach (var received in model.Receives)
        {
            code.AppendLine();
            code.Append(CultureInfo.InvariantCulture, $"            .AddHandler<{received.TypeName}, {received.TypeName}Handler>({ScaffoldNames.Pascal(received.Endpoint)}Endpoint)");
        }

        code.AppendLine();
        code.AppendLine("            .AddStorage(); // the inbox, the outbox and the message log, on the database of QazBus:Storage");
        code.AppendLine();
        code.AppendLine("        // The systems' public keys from the registry file (QazBus:Registry), so signing works by configuration alone.");
        code.AppendLine("        builder.AddQazBus().UseRegistry();");
        code.AppendLine("        return builder;");
        code.AppendLine("    }");
        code.AppendLine("}");
        return code.ToString();
    }

    public static string Handler(ScaffoldModel model, ReceivedContract received)
    {
        var drafts = model.Publishes.Where(p => p.IsNew).ToList();
        var code = new StringBuilder();
        code.AppendLine("using Microsoft.Extensions.Logging;");
        foreach (var ns in new[] { received.Namespace, "QazBus.Handling" }
                     .Concat(drafts.Count > 0 ? ["QazBus.Storage.Inbox", "QazBus.Storage.Outbox", .. drafts.Select(d => d.Namespace)] : [])
                     .Distinct().Order(StringComparer.Ordinal))
        {
            code.AppendLine(CultureInfo.InvariantCulture, $"using {ns};");
        }

        code.AppendLine();
        code.AppendLine(CultureInfo.InvariantCulture, $"namespace {model.Project}.Handlers;");
        code.AppendLine();
        code.AppendLine(CultureInfo.InvariantCulture, $"/// <summary>Handles <c>{received.Name}</c> v{received.Version} at the endpoint <c>{received.Endpoint}</c>.</summary>");
        code.AppendLine("/// <remarks>");
        code.AppendLine("/// Called through the inbox: what the handler writes through <c>IInboxTransaction</c> commits with the inbox row,");
        code.AppendLine("/// or nothing does, so a redelivered message has one effect. Returning acknowledges the message; throwing retries it,");
        code.AppendLine("/// then moves it to the endpoint's error queue, where <c>qazbus errors</c> shows it.");
        code.AppendLine("/// </remarks>");
        var parameters = drafts.Count > 0
            ? $"IInboxTransaction inbox, IOutbox outbox, ILogger<{received.TypeName}Handler> logger"
            : $"ILogger<{received.TypeName}Handler> logger";
        code.AppendLine(CultureInfo.InvariantCulture, $"internal sealed partial class {received.TypeName}Handler({parameters}) : IContractHandler<{received.TypeName}>");
        code.AppendLine("{");
        code.AppendLine(CultureInfo.InvariantCulture, $"    public {(drafts.Count > 0 ? "async Task" : "Task")} HandleAsync({received.TypeName} message, MessageContext context, CancellationToken cancellationToken)");
        code.AppendLine("    {");
        code.AppendLine(drafts.Count > 0
            ? "        // Your system's work goes here: write its rows with inbox.Connection in inbox.Transaction, so they commit with the inbox row."
            : "        // Your system's work goes here: inject IInboxTransaction and write its rows in its transaction, so they commit with the inbox row.");
        foreach (var draft in drafts)
        {
            code.AppendLine("        // What this system announces in return commits in the same transaction (the outbox): replace with your decision.");
            code.AppendLine(CultureInfo.InvariantCulture, $"        var announced = await outbox.EnqueueAsync(inbox.Transaction, new {draft.TypeName} {{ CaseNumber = context.CorrelationId ?? context.MessageId }}, cancellationToken: cancellationToken);");
            code.AppendLine(CultureInfo.InvariantCulture, $"        LogAnnounced(logger, \"{draft.Name}\", announced, context.MessageId);");
        }

        code.AppendLine(CultureInfo.InvariantCulture, $"        LogHandled(logger, \"{received.Name}\", {received.Version}, context.MessageId, context.Source, context.CorrelationId ?? \"(none)\");");
        if (drafts.Count == 0)
        {
            code.AppendLine("        return Task.CompletedTask;");
        }

        code.AppendLine("    }");
        code.AppendLine();
        code.AppendLine("    // Message ids and case numbers only: personal data never goes into logs.");
        code.AppendLine("    [LoggerMessage(Level = LogLevel.Information, Message = \"Handled {Contract} v{Version} {MessageId} from {Source}, case {CaseNumber}\")]");
        code.AppendLine("    private static partial void LogHandled(ILogger logger, string contract, int version, string messageId, string source, string caseNumber);");
        if (drafts.Count > 0)
        {
            code.AppendLine();
            code.AppendLine("    [LoggerMessage(Level = LogLevel.Information, Message = \"Enqueued {Contract} {MessageId} in answer to {ReceivedId}\")]");
            code.AppendLine("    private static partial void LogAnnounced(ILogger logger, string contract, string messageId, string receivedId);");
        }

        code.AppendLine("}");
        return code.ToString();
    }

    public static string Publisher(ScaffoldModel model, PublishedContract published) => $$"""
        using Microsoft.Extensions.DependencyInjection;
        using QazBus.Storage.Database;
        using QazBus.Storage.Outbox;
        using {{published.Namespace}};

        namespace {{model.Project}}.Outbox;

        /// <summary>Publishes <c>{{published.Name}}</c> v{{published.Version}} through the transactional outbox.</summary>
        /// <remarks>
        /// Write the change the message announces in the same transaction: the row and the message commit together or
        /// not at all, and the relay publishes after the commit.
        /// </remarks>
        internal sealed class {{published.TypeName}}Publisher(StorageDatabase storage, IOutbox outbox)
        {
            public async Task<string> PublishAsync({{published.TypeName}} message, CancellationToken cancellationToken)
            {
                await using var connection = await storage.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                // Your system's own rows go here, in `transaction`.
                var id = await outbox.EnqueueAsync(transaction, message, cancellationToken: cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return id;
            }
        }

        """;

    public static string Contract(PublishedContract published, string description) => $$"""
        using System.ComponentModel;
        using System.ComponentModel.DataAnnotations;

        namespace {{published.Namespace}};

        /// <summary>{{Xml(description)}}</summary>
        /// <remarks>
        /// A draft ([ContractDraft]) until the agency publishes it: change its fields freely and rewrite its schema with
        /// <c>qazbus contracts check --update</c>; a production bus refuses drafts (QazBus:AllowDraftContracts). Remove the
        /// attribute and set the registry version's status to "active" when it goes live; from then on only compatible
        /// changes pass. Fields may be enums (written as their names), decimal amounts ([Range] gives the bounds),
        /// dates (DateOnly) and nested records; mark personal data with [PersonalData].
        /// </remarks>
        [Contract("{{published.Name}}", {{published.Version}})]
        [ContractDraft]
        [Description("{{description.Replace("\"", "\\\"", StringComparison.Ordinal)}}")]
        public sealed record {{published.TypeName}}
        {
            /// <summary>The case number the event belongs to (its correlation id); never personal data.</summary>
            [Description("The case number the event belongs to.")]
            [StringLength(64, MinimumLength = 1)]
            public required string CaseNumber { get; init; }
        }

        """;

    public static string Settings(ScaffoldModel model) => $$"""
        {
          "Logging": {
            "LogLevel": {
              "Default": "Information",
              "Microsoft.Hosting.Lifetime": "Information"
            }
          },
          "QazBus": {
            "System": "{{model.System}}",
            "Registry": "registry.json",
            "Transport": "RabbitMq",
            "RabbitMq": {
              "Uri": "amqp://guest:guest@localhost:5672/",
              "ManagedTopology": false
            },
            "Signing": {
              "Mode": "Sign",
              "KeyId": "{{model.KeyId}}",
              "PrivateKeyPath": "signing-key.pem"
            },{{(model.HasDrafts ? "\n    \"AllowDraftContracts\": true," : string.Empty)}}
            "Storage": {
              "Provider": "Sqlite",
              "ConnectionString": "Data Source={{model.Database}}"
            }
          }
        }

        """;

    public static string GitIgnore() => """
        # The private signing key: a secret, mounted in production, never committed.
        signing-key.pem
        *.db
        *.db-shm
        *.db-wal

        """;

    public static string Readme(ScaffoldModel model, string directory)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# {model.System}: {model.Description}");
        text.AppendLine();
        text.AppendLine("Scaffolded by `qazbus new system`. What it wrote:");
        text.AppendLine();
        text.AppendLine("| File | What it is |");
        text.AppendLine("| --- | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| `{model.Project}Extensions.cs` | `Add{model.Project}()`: the bus, one endpoint per received contract, the inbox and outbox, the registry's keys |");
        foreach (var received in model.Receives)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| `Handlers/{received.TypeName}Handler.cs` | handles `{received.Name}` v{received.Version} on queue `{model.System}.{received.Endpoint}` |");
        }

        if (model.Receives.Count == 0)
        {
            foreach (var published in model.Publishes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| `Outbox/{published.TypeName}Publisher.cs` | publishes `{published.Name}` v{published.Version} in a database transaction |");
            }
        }

        text.AppendLine("| `appsettings.json` | `QazBus:*` settings (see docs/settings.md): system id, registry, broker, signing, storage |");
        text.AppendLine("| `signing-key.pem` | the system's private signing key (git-ignored: a secret; its public half is in the registry) |");
        text.AppendLine();
        text.AppendLine("## Run it");
        text.AppendLine();
        text.AppendLine("```bash");
        text.AppendLine("eval \"$(./build.sh up)\"                          # a dev RabbitMQ and PostgreSQL");
        text.AppendLine("export QazBus__RabbitMq__Uri=\"$QAZBUS_TEST_RABBITMQ_URI\"");
        text.AppendLine(CultureInfo.InvariantCulture, $"cd {directory} && dotnet run                     # from its folder: the key and the database are found there");
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("Before it goes live: `qazbus doctor --system " + model.System + " --uri amqp://" + model.System + ":PASSWORD@HOST/qazbus --managed-topology " +
                        "--signing-key signing-key.pem --key-id " + model.KeyId + "`, then set `QazBus:RabbitMq:ManagedTopology=true` and `QazBus:Signing:Mode=Required`" +
                        (model.HasDrafts ? ", and publish the draft contracts (remove `AllowDraftContracts`)." : "."));
        return text.ToString();
    }

    private static IEnumerable<string> Namespaces(ScaffoldModel model) =>
        model.Receives.Select(r => r.Namespace).Concat(model.Receives.Count == 0 ? model.Publishes.Select(p => p.Namespace) : []);

    private static string Xml(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
