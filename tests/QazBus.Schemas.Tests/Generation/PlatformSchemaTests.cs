using QazBus.Contracts;
using QazBus.Operations;
using QazBus.Queries;

namespace QazBus.Schemas.Tests.Generation;

/// <summary>
/// The platform's own contracts (agency <c>qazbus</c>: the fault event, the query rejection) are published by every
/// system, so a Java or Node team needs their schemas as much as an agency's: they are committed in docs/schemas and
/// kept fresh here. <c>QAZBUS_UPDATE_DOCS=1</c> rewrites them.
/// </summary>
public sealed class PlatformSchemaTests
{
    public static TheoryData<Type> PlatformContracts => new() { typeof(MessageFaulted), typeof(QueryRejected) };

    [Theory]
    [MemberData(nameof(PlatformContracts))]
    public void The_committed_schema_of_a_platform_contract_is_the_generated_one(Type type)
    {
        var contract = ContractDescriptor.For(type);
        var path = Path.Combine(Repository.Root, "docs", "schemas", $"{contract.Name}.v{contract.MajorVersion}.schema.json");
        var generated = ContractSchemaGenerator.GenerateText(contract);
        if (Environment.GetEnvironmentVariable("QAZBUS_UPDATE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path) && File.ReadAllText(path) == generated,
            $"{Path.GetRelativePath(Repository.Root, path)} is missing or stale: run QAZBUS_UPDATE_DOCS=1 dotnet test tests/QazBus.Schemas.Tests --filter PlatformSchema and commit it.");
    }
}
