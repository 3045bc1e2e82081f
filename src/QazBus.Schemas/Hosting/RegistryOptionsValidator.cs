using Microsoft.Extensions.Options;
using QazBus.Configuration;

namespace QazBus.Schemas.Hosting;

/// <summary>
/// With <c>UseRegistry()</c>, <c>QazBus:Registry</c> must name a readable, valid registry: checked with the other
/// settings at start-up, so a bad file stops the host before it connects, naming the key and the line.
/// </summary>
internal sealed class RegistryOptionsValidator(RegistryFile file) : IValidateOptions<QazBusOptions>
{
    public ValidateOptionsResult Validate(string? name, QazBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return file.TryRead(options.Registry, out _, out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error!);
    }
}
