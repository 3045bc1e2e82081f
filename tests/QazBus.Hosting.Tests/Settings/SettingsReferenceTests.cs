using QazBus.Configuration;
using QazBus.Gateway.Configuration;
using QazBus.Hosting.Health;
using QazBus.Hosting.LegacySystems;
using QazBus.Hosting.Telemetry;
using QazBus.Hosting.Tests.Support;
using QazBus.Storage.Configuration;

namespace QazBus.Hosting.Tests.Settings;

public sealed class SettingsReferenceTests
{
    private static readonly (string Section, Type Options, string Title)[] Sections =
    [
        (QazBusOptions.SectionName, typeof(QazBusOptions), "The bus (`QazBus`)"),
        (StorageOptions.SectionName, typeof(StorageOptions), "Outbox, inbox and message log (`QazBus:Storage`, package QazBus.Storage)"),
        (HealthOptions.SectionName, typeof(HealthOptions), "Health endpoints (`QazBus:Health`, package QazBus.Hosting)"),
        (TelemetryOptions.SectionName, typeof(TelemetryOptions), "Telemetry (`QazBus:Telemetry`, package QazBus.Hosting)"),
        ($"{LegacySystemOptions.SectionPrefix}:{{name}}", typeof(LegacySystemOptions), "Legacy systems called over HTTP (`QazBus:LegacySystems:{name}`, package QazBus.Hosting)"),
        (GatewayOptions.SectionName, typeof(GatewayOptions), "The HTTP gateway (`QazBus:Gateway`, host QazBus.Gateway)"),
    ];

    [Fact]
    public void Docs_settings_lists_every_setting_with_its_default_and_meaning()
    {
        var generated = SettingsReference.Write(Sections);
        var path = Repository.PathOf("docs/settings.md");
        if (Environment.GetEnvironmentVariable("QAZBUS_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, generated);
        }

        var committed = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : string.Empty;
        Assert.True(generated == committed,
            "docs/settings.md is not what the options classes say (a setting, its default or its summary changed): " +
            "run `QAZBUS_UPDATE_DOCS=1 dotnet test tests/QazBus.Hosting.Tests --filter SettingsReference` and commit the page.");
    }

    [Fact]
    public void Every_section_names_the_keys_an_operator_sets_most()
    {
        var page = SettingsReference.Write(Sections);

        Assert.Contains("| `QazBus:RabbitMq:Uri` | text |", page, StringComparison.Ordinal);
        Assert.Contains("| `QazBus:RabbitMq:ManagedTopology` | true / false | `false` |", page, StringComparison.Ordinal);
        Assert.Contains("| `QazBus:RabbitMq:QuorumReplicas` | integer | `3` |", page, StringComparison.Ordinal);
        Assert.Contains("| `QazBus:RabbitMq:PublishRetryTimeout` | duration | `00:00:30` |", page, StringComparison.Ordinal);
        Assert.Contains("| `QazBus:Transport` | `InMemory` / `RabbitMq` | `InMemory` |", page, StringComparison.Ordinal);
        Assert.Contains("| `QazBus:Storage:", page, StringComparison.Ordinal);
        Assert.Contains("| `QazBus:Health:Port` |", page, StringComparison.Ordinal);
    }
}
