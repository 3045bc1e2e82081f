namespace QazBus.Validation;

/// <summary>A contract instance breaks its contract's rules; thrown at publish, before anything is sent.</summary>
public sealed class ContractValidationException : Exception
{
    /// <summary>Creates the exception from the violations found.</summary>
    public ContractValidationException(string contract, int version, IReadOnlyList<ContractViolation> violations)
        : base($"Message of contract '{contract}' v{version} is invalid: {string.Join("; ", violations)}")
    {
        Contract = contract;
        Version = version;
        Violations = violations;
    }

    /// <summary>The contract name.</summary>
    public string Contract { get; }

    /// <summary>The contract version.</summary>
    public int Version { get; }

    /// <summary>Each field at fault and the rule it breaks.</summary>
    public IReadOnlyList<ContractViolation> Violations { get; }
}

/// <summary>One rule broken by one field.</summary>
/// <param name="Field">The JSON path of the field, for example <c>newAddress.postalCode</c>.</param>
/// <param name="Rule">The rule in plain words (never the field's value: values can be personal data).</param>
public sealed record ContractViolation(string Field, string Rule)
{
    /// <inheritdoc />
    public override string ToString() => $"'{Field}': {Rule}";
}
