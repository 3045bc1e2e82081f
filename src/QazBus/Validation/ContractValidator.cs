using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using QazBus.Wire;

namespace QazBus.Validation;

/// <summary>
/// Checks a contract instance against the rules declared on its record ([RegularExpression], [StringLength],
/// [Range], …, recursively through nested records and lists) — the same attributes its published JSON Schema is
/// generated from, so the publisher, every consumer and the schema agree.
/// </summary>
internal static class ContractValidator
{
    private static readonly ConcurrentDictionary<Type, PropertyRule[]> Rules = new();

    public static IReadOnlyList<ContractViolation> Validate(object instance)
    {
        // Every message is checked at both edges, and nearly all are valid: a first pass builds no paths and stops at
        // the first violation; only an invalid message pays for the second pass that names every violation.
        if (Walk(instance, prefix: null, violations: null, depth: 0))
        {
            return [];
        }

        var violations = new List<ContractViolation>();
        Walk(instance, prefix: null, violations, depth: 0);
        return violations;
    }

    // Returns false at the first violation when violations is null (the fast pass); collects them all otherwise.
    private static bool Walk(object instance, string? prefix, List<ContractViolation>? violations, int depth)
    {
        if (depth > 32)
        {
            return true; // contracts are trees; a deeper graph is not a contract
        }

        foreach (var rule in Rules.GetOrAdd(instance.GetType(), Describe))
        {
            if (rule.Attributes.Length == 0 && !rule.MayHoldRecords)
            {
                continue; // nothing to check, nothing to walk into: skip reading (and boxing) the value
            }

            var value = rule.Property.GetValue(instance);
            var path = violations is null ? null : prefix is null ? rule.JsonName : $"{prefix}.{rule.JsonName}";
            foreach (var attribute in rule.Attributes)
            {
                if (value is null && attribute is not RequiredAttribute)
                {
                    continue; // absence is the nullability rules' business, checked by the serializer
                }

                if (!attribute.IsValid(value))
                {
                    if (violations is null)
                    {
                        return false;
                    }

                    violations.Add(new ContractViolation(path!, Describe(attribute)));
                }
            }

            switch (value)
            {
                case null or string:
                    break;
                case IEnumerable items when rule.Property.PropertyType != typeof(string):
                    var index = 0;
                    foreach (var item in items)
                    {
                        if (item is not null && IsRecord(item.GetType())
                            && !Walk(item, violations is null ? null : $"{path}[{index}]", violations, depth + 1))
                        {
                            return false;
                        }

                        index++;
                    }

                    break;
                default:
                    if (IsRecord(value.GetType()) && !Walk(value, path, violations, depth + 1))
                    {
                        return false;
                    }

                    break;
            }
        }

        return true;
    }

    private static bool IsRecord(Type type) => type.IsClass && type != typeof(string) && type.Assembly != typeof(object).Assembly;

    private static PropertyRule[] Describe(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => new PropertyRule(p, BusJson.Options.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name, p.GetCustomAttributes<ValidationAttribute>(true).ToArray()))
            .ToArray();

    // Rules in plain words, without the value: the value may be a citizen's personal data.
    private static string Describe(ValidationAttribute attribute) => attribute switch
    {
        RegularExpressionAttribute regex => $"must match the pattern {regex.Pattern}",
        StringLengthAttribute length when length.MinimumLength > 0 => $"must be {length.MinimumLength} to {length.MaximumLength} characters long",
        StringLengthAttribute length => $"must be at most {length.MaximumLength} characters long",
        RangeAttribute range => $"must be between {range.Minimum} and {range.Maximum}",
        RequiredAttribute => "is required",
        MinLengthAttribute min => $"must have at least {min.Length} item(s) or characters",
        MaxLengthAttribute max => $"must have at most {max.Length} item(s) or characters",
        _ => $"breaks the rule {attribute.GetType().Name.Replace("Attribute", string.Empty, StringComparison.Ordinal)}",
    };

    private sealed record PropertyRule(PropertyInfo Property, string JsonName, ValidationAttribute[] Attributes)
    {
        /// <summary>Value types and strings are never walked into; anything else may be or contain a record.</summary>
        public bool MayHoldRecords { get; } = !(Property.PropertyType.IsValueType || Property.PropertyType == typeof(string));
    }
}
