using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QazBus.Schemas.Compatibility;

/// <summary>
/// Compares a contract version's committed schema (the published baseline) with the schema generated from code,
/// and says, in plain words, what changed and whether it breaks anyone.
/// </summary>
/// <remarks>
/// <para>
/// The test for "breaking" is that of a published standard read by two sides: consumers already subscribed,
/// written against the baseline, must still read every new message, and messages already published under the
/// baseline (in queues, outboxes, error queues awaiting replay) must still be valid. A change that only adds an
/// optional field, adds an enum value, relaxes a limit or edits a description passes; see
/// <see cref="CompatibilityRule"/> for every rule.
/// </para>
/// <para>
/// Nullability is compared both ways: a field that no longer allows <c>null</c> breaks old messages, and a field
/// that starts allowing <c>null</c> breaks consumers told it never would be (a QazBus consumer respects nullable
/// annotations and would reject the message). Nested objects, array items and dictionary values are compared
/// recursively; <c>$ref</c> pointers (which the exporter emits for recursive types) are followed.
/// </para>
/// </remarks>
public static class SchemaCompatibility
{
    private static readonly (string Keyword, bool IsUpper, string Unit)[] Limits =
    [
        ("minLength", false, " characters"),
        ("maxLength", true, " characters"),
        ("minimum", false, string.Empty),
        ("exclusiveMinimum", false, string.Empty),
        ("maximum", true, string.Empty),
        ("exclusiveMaximum", true, string.Empty),
        ("minItems", false, " items"),
        ("maxItems", true, " items"),
        ("minProperties", false, " fields"),
        ("maxProperties", true, " fields"),
    ];

    private static readonly string[] Compositions = ["anyOf", "oneOf", "allOf", "not"];

    /// <summary>Compares the committed <paramref name="baseline"/> with the <paramref name="current"/> schema.</summary>
    /// <param name="contract">The contract name, copied into each finding.</param>
    /// <param name="version">The major version, copied into each finding.</param>
    /// <param name="baseline">The committed schema.</param>
    /// <param name="current">The schema generated from code.</param>
    /// <returns>Every difference found, breaking or not, in document order; empty when nothing changed.</returns>
    public static IReadOnlyList<CompatibilityFinding> Compare(string contract, int version, JsonNode baseline, JsonNode current)
    {
        ArgumentException.ThrowIfNullOrEmpty(contract);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        var comparison = new Comparison(contract, version, baseline, current);
        comparison.CompareDraft(baseline, current);
        comparison.CompareDeprecation(baseline, current);
        comparison.CompareSchemas(baseline, "#", current, "#", string.Empty);
        return comparison.Findings;
    }

    private sealed class Comparison(string contract, int version, JsonNode oldRoot, JsonNode newRoot)
    {
        private readonly HashSet<string> _visited = new(StringComparer.Ordinal);

        public List<CompatibilityFinding> Findings { get; } = [];

        public void CompareDraft(JsonNode baseline, JsonNode current)
        {
            var before = baseline is JsonObject b && IsDraft(b);
            var after = current is JsonObject a && IsDraft(a);
            if (before && !after)
            {
                Findings.Add(new CompatibilityFinding(
                    contract, version, "/" + SchemaKeywords.ContractDraft, string.Empty, CompatibilityRule.DraftPublished,
                    "the contract version is no longer a draft: it is published with this schema, and from now on a breaking change needs a new major version",
                    IsBreaking: false));
            }
            else if (!before && after)
            {
                Findings.Add(new CompatibilityFinding(
                    contract, version, "/" + SchemaKeywords.ContractDraft, string.Empty, CompatibilityRule.DraftReopened,
                    "the contract version was published and is marked [ContractDraft] again: a published version cannot go back to draft; remove the mark, or add a new major version as a draft",
                    IsBreaking: true));
            }
        }

        public void CompareDeprecation(JsonNode baseline, JsonNode current)
        {
            var before = baseline is JsonObject b ? Text(b, SchemaKeywords.Sunset) : null;
            var after = current is JsonObject a ? Text(a, SchemaKeywords.Sunset) : null;
            if (before == after)
            {
                return;
            }

            var message = before is null ? $"is now deprecated, sunset {after}"
                : after is null ? "is no longer deprecated"
                : $"moved its sunset from {before} to {after}";
            Findings.Add(new CompatibilityFinding(
                contract, version, "/" + SchemaKeywords.Sunset, string.Empty, CompatibilityRule.DeprecationChanged,
                $"the contract version {message}", IsBreaking: false));
        }

        public void CompareSchemas(JsonNode? oldNode, string oldPointer, JsonNode? newNode, string newPointer, string field)
        {
            (oldNode, oldPointer) = Resolve(oldRoot, oldNode, oldPointer);
            (newNode, newPointer) = Resolve(newRoot, newNode, newPointer);

            // Recursive types reach the same pair of schemas again through $ref: compare each pair once.
            if (!_visited.Add(oldPointer + "\n" + newPointer))
            {
                return;
            }

            var path = PathOf(newPointer);
            var oldSchema = AsObject(oldNode);
            var newSchema = AsObject(newNode);

            var oldShape = Shape.Of(oldSchema);
            var newShape = Shape.Of(newSchema);
            if (!oldShape.SameTypes(newShape))
            {
                Add(path, field, CompatibilityRule.TypeChanged, $"changed type from {oldShape} to {newShape}");
                CompareNullability(oldShape, newShape, path, field);
                return;
            }

            CompareFormat(oldShape, newShape, path, field);
            CompareNullability(oldShape, newShape, path, field);
            CompareDescription(oldSchema, newSchema, path, field);
            ComparePersonalData(oldSchema, newSchema, path, field);
            CompareEnum(oldSchema, newSchema, path, field);
            ComparePattern(oldSchema, newSchema, path, field);
            CompareLimits(oldSchema, newSchema, path, field);
            CompareCompositions(oldSchema, newSchema, path, field);
            CompareProperties(oldSchema, oldPointer, newSchema, newPointer, field);

            if (oldSchema.ContainsKey("items") || newSchema.ContainsKey("items"))
            {
                CompareSchemas(oldSchema["items"], oldPointer + "/items", newSchema["items"], newPointer + "/items", field + "[]");
            }

            CompareAdditionalProperties(oldSchema, oldPointer, newSchema, newPointer, field);
        }

        private void CompareFormat(Shape oldShape, Shape newShape, string path, string field)
        {
            if (oldShape.Format == newShape.Format)
            {
                return;
            }

            var rule = oldShape.Format is null ? CompatibilityRule.FormatAdded
                : newShape.Format is null ? CompatibilityRule.FormatRemoved
                : CompatibilityRule.FormatChanged;
            Add(path, field, rule, $"changed type from {oldShape} to {newShape}");
        }

        private void CompareNullability(Shape oldShape, Shape newShape, string path, string field)
        {
            if (oldShape.AllowsNull && !newShape.AllowsNull)
            {
                Add(path, field, CompatibilityRule.NullNoLongerAllowed, "no longer allows null");
            }
            else if (!oldShape.AllowsNull && newShape.AllowsNull)
            {
                Add(path, field, CompatibilityRule.NullNowAllowed, "now allows null, which its consumers were promised it never is");
            }
        }

        private void CompareDescription(JsonObject oldSchema, JsonObject newSchema, string path, string field)
        {
            var before = Text(oldSchema, "description");
            var after = Text(newSchema, "description");
            if (before != after)
            {
                var what = before is null ? "got a description" : after is null ? "lost its description" : "has a new description";
                Add(path, field, CompatibilityRule.DescriptionChanged, what);
            }
        }

        private void ComparePersonalData(JsonObject oldSchema, JsonObject newSchema, string path, string field)
        {
            var before = IsPersonalData(oldSchema);
            var after = IsPersonalData(newSchema);
            if (!before && after)
            {
                Add(path, field, CompatibilityRule.PersonalDataMarked, "is now marked as personal data");
            }
            else if (before && !after)
            {
                Add(path, field, CompatibilityRule.PersonalDataUnmarked,
                    "is no longer marked as personal data: make sure it really holds none (the catalog and data-protection reviews rely on the mark)");
            }
        }

        private void CompareEnum(JsonObject oldSchema, JsonObject newSchema, string path, string field)
        {
            var before = EnumValues(oldSchema);
            var after = EnumValues(newSchema);
            if (before is null && after is null)
            {
                return;
            }

            if (before is null)
            {
                Add(path, field, CompatibilityRule.EnumIntroduced, $"is now restricted to the values {List(after!)}");
                return;
            }

            if (after is null)
            {
                Add(path, field, CompatibilityRule.EnumLifted, "is no longer restricted to a fixed list of values");
                return;
            }

            var removed = before.Where(value => !after.Contains(value)).ToList();
            var added = after.Where(value => !before.Contains(value)).ToList();
            if (removed.Count > 0)
            {
                Add(path, field, CompatibilityRule.EnumValueRemoved, $"no longer allows the value{Plural(removed)} {List(removed)}");
            }

            if (added.Count > 0)
            {
                Add(path, field, CompatibilityRule.EnumValueAdded,
                    $"allows the new value{Plural(added)} {List(added)} (consumers must tolerate values they do not know)");
            }
        }

        private void ComparePattern(JsonObject oldSchema, JsonObject newSchema, string path, string field)
        {
            var before = Text(oldSchema, "pattern");
            var after = Text(newSchema, "pattern");
            if (before == after)
            {
                return;
            }

            if (before is null)
            {
                Add(path, field, CompatibilityRule.PatternAdded, $"must now match the pattern {after}");
            }
            else if (after is null)
            {
                Add(path, field, CompatibilityRule.PatternRemoved, $"no longer has to match the pattern {before}");
            }
            else
            {
                Add(path, field, CompatibilityRule.PatternChanged, $"changed its pattern from {before} to {after}");
            }
        }

        private void CompareLimits(JsonObject oldSchema, JsonObject newSchema, string path, string field)
        {
            foreach (var (keyword, isUpper, unit) in Limits)
            {
                var before = Number(oldSchema, keyword);
                var after = Number(newSchema, keyword);
                if (before == after)
                {
                    continue;
                }

                // An upper limit tightens when it appears or goes down; a lower limit when it appears or goes up.
                var tightened = before is null || (after is not null && (isUpper ? after < before : after > before));
                var rule = tightened ? CompatibilityRule.LimitTightened : CompatibilityRule.LimitRelaxed;
                Add(path, field, rule, $"changed its limit from {LimitPhrase(keyword, before, unit)} to {LimitPhrase(keyword, after, unit)}");
            }
        }

        private void CompareCompositions(JsonObject oldSchema, JsonObject newSchema, string path, string field)
        {
            foreach (var keyword in Compositions)
            {
                var before = oldSchema[keyword]?.ToJsonString();
                var after = newSchema[keyword]?.ToJsonString();
                if (before != after)
                {
                    Add(path, field, CompatibilityRule.CompositionChanged, $"changed its alternatives ({keyword})");
                }
            }
        }

        private void CompareProperties(JsonObject oldSchema, string oldPointer, JsonObject newSchema, string newPointer, string field)
        {
            var oldProperties = oldSchema["properties"] as JsonObject ?? [];
            var newProperties = newSchema["properties"] as JsonObject ?? [];
            var oldRequired = Names(oldSchema["required"]);
            var newRequired = Names(newSchema["required"]);
            var added = newProperties.Select(p => p.Key).Where(name => !oldProperties.ContainsKey(name)).ToList();

            foreach (var (name, oldProperty) in oldProperties)
            {
                var child = Child(field, name);
                var oldChildPointer = $"{oldPointer}/properties/{Escape(name)}";
                var newChildPointer = $"{newPointer}/properties/{Escape(name)}";
                if (!newProperties.TryGetPropertyValue(name, out var newProperty))
                {
                    var hint = RenameHint(oldProperty, oldChildPointer, newProperties, newPointer, added);
                    Add(PathOf(oldChildPointer), child, CompatibilityRule.FieldRemoved, "was removed" + hint);
                    continue;
                }

                CompareSchemas(oldProperty, oldChildPointer, newProperty, newChildPointer, child);
                if (oldRequired.Contains(name) && !newRequired.Contains(name))
                {
                    Add(PathOf(newChildPointer), child, CompatibilityRule.FieldNoLongerRequired,
                        "is no longer required, so consumers relying on it may not get it");
                }
                else if (!oldRequired.Contains(name) && newRequired.Contains(name))
                {
                    Add(PathOf(newChildPointer), child, CompatibilityRule.FieldBecameRequired,
                        "became required, so messages that leave it out are no longer valid");
                }
            }

            foreach (var name in added)
            {
                var childPath = PathOf($"{newPointer}/properties/{Escape(name)}");
                if (newRequired.Contains(name))
                {
                    Add(childPath, Child(field, name), CompatibilityRule.RequiredFieldAdded,
                        "was added as required, so messages written to the published schema are no longer valid (add it as optional)");
                }
                else
                {
                    Add(childPath, Child(field, name), CompatibilityRule.OptionalFieldAdded, "was added (optional)");
                }
            }
        }

        private string RenameHint(JsonNode? removed, string removedPointer, JsonObject newProperties, string newPointer, List<string> added)
        {
            if (added.Count == 0)
            {
                return string.Empty;
            }

            // Prefer added fields of the same type: those are the likely new names.
            var removedShape = Shape.Of(AsObject(Resolve(oldRoot, removed, removedPointer).Node));
            var sameType = added
                .Where(name => removedShape.SameTypes(Shape.Of(AsObject(
                    Resolve(newRoot, newProperties[name], $"{newPointer}/properties/{Escape(name)}").Node))))
                .ToList();
            var candidates = sameType.Count > 0 ? sameType : added;
            return $" (renamed to {string.Join(" or ", candidates.Select(name => $"'{name}'"))}? a rename removes the old name for every consumer)";
        }

        private void CompareAdditionalProperties(JsonObject oldSchema, string oldPointer, JsonObject newSchema, string newPointer, string field)
        {
            var before = oldSchema["additionalProperties"];
            var after = newSchema["additionalProperties"];
            var closedBefore = before is JsonValue b && b.GetValueKind() == JsonValueKind.False;
            var closedAfter = after is JsonValue a && a.GetValueKind() == JsonValueKind.False;
            if (closedAfter && !closedBefore)
            {
                Add(PathOf(newPointer), field, CompatibilityRule.AdditionalPropertiesClosed,
                    "no longer allows fields it does not list, so nothing can be added to it later");
            }
            else if (before is JsonObject && after is JsonObject)
            {
                // Dictionary values.
                CompareSchemas(before, oldPointer + "/additionalProperties", after, newPointer + "/additionalProperties", field + "{}");
            }
        }

        private void Add(string path, string field, CompatibilityRule rule, string message)
        {
            var subject = field.Length == 0 ? "the message" : $"field '{field}'";
            Findings.Add(new CompatibilityFinding(contract, version, path, field, rule, $"{subject} {message}", IsBreaking(rule)));
        }
    }

    /// <summary>True when <paramref name="rule"/> needs a new major version.</summary>
    public static bool IsBreaking(CompatibilityRule rule) => rule switch
    {
        CompatibilityRule.OptionalFieldAdded
            or CompatibilityRule.EnumValueAdded
            or CompatibilityRule.EnumLifted
            or CompatibilityRule.PatternRemoved
            or CompatibilityRule.LimitRelaxed
            or CompatibilityRule.DescriptionChanged
            or CompatibilityRule.PersonalDataMarked
            or CompatibilityRule.PersonalDataUnmarked
            or CompatibilityRule.DeprecationChanged
            or CompatibilityRule.DraftPublished
            or CompatibilityRule.BaselineMissing
            or CompatibilityRule.BaselineUnreadable => false,
        _ => true,
    };

    /// <summary>The type of a schema as people read it: <c>string(date)</c>, <c>integer</c>, <c>object</c>, <c>any</c>.</summary>
    private sealed record Shape(SortedSet<string>? Types, string? Format, bool AllowsNull)
    {
        public static Shape Of(JsonObject schema)
        {
            var types = TypesOf(schema);
            var allowsNull = types?.Remove("null") == true;
            if (schema["enum"] is JsonArray values && values.Any(value => value is null))
            {
                allowsNull = true;
            }

            return new Shape(types, Text(schema, "format"), allowsNull);
        }

        public bool SameTypes(Shape other) =>
            Types is null ? other.Types is null : other.Types is not null && Types.SetEquals(other.Types);

        public override string ToString()
        {
            var type = Types is null || Types.Count == 0 ? "any" : string.Join(" or ", Types);
            return Format is null ? type : $"{type}({Format})";
        }

        /// <summary>The non-null JSON types allowed, with "null" when allowed; null when any type is allowed.</summary>
        private static SortedSet<string>? TypesOf(JsonObject schema)
        {
            switch (schema["type"])
            {
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    return new SortedSet<string>(StringComparer.Ordinal) { value.GetValue<string>() };
                case JsonArray array:
                    return new SortedSet<string>(array.OfType<JsonValue>().Select(t => t.ToString()), StringComparer.Ordinal);
            }

            // An enum without "type" is typed by its values.
            if (schema["enum"] is JsonArray values)
            {
                return new SortedSet<string>(values.Select(value => value is null ? "null" : JsonTypeOf(value)), StringComparer.Ordinal);
            }

            return null;
        }

        private static string JsonTypeOf(JsonNode value) => value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            _ => "null",
        };
    }

    /// <summary>Follows <c>$ref</c> JSON Pointers within the same document.</summary>
    private static (JsonNode? Node, string Pointer) Resolve(JsonNode root, JsonNode? node, string pointer)
    {
        for (var hops = 0; hops < 64 && node is JsonObject obj && Text(obj, "$ref") is { } reference; hops++)
        {
            if (!reference.StartsWith('#'))
            {
                // Only local references are emitted by the exporter; anything else is compared as written.
                return (node, pointer);
            }

            pointer = reference;
            node = Navigate(root, reference);
        }

        return (node, pointer);
    }

    private static JsonNode? Navigate(JsonNode root, string reference)
    {
        var node = (JsonNode?)root;
        foreach (var token in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject obj => obj[name],
                JsonArray array when int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count => array[index],
                _ => null,
            };
        }

        return node;
    }

    /// <summary>A schema as an object: <c>true</c> and a missing schema allow anything, <c>false</c> allows nothing.</summary>
    private static JsonObject AsObject(JsonNode? node) => node switch
    {
        JsonObject obj => obj,
        JsonValue value when value.GetValueKind() == JsonValueKind.False => new JsonObject { ["not"] = new JsonObject() },
        _ => [],
    };

    private static List<string>? EnumValues(JsonObject schema) =>
        schema["enum"] is JsonArray values
            ? [.. values.Where(value => value is not null).Select(value => value!.ToJsonString())]
            : null;

    private static HashSet<string> Names(JsonNode? node) =>
        node is JsonArray array
            ? new HashSet<string>(array.OfType<JsonValue>().Select(value => value.ToString()), StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);

    /// <summary>True when the schema of a whole contract version carries <c>"x-qazbus-draft": true</c>.</summary>
    internal static bool IsDraft(JsonObject schema) =>
        schema[SchemaKeywords.ContractDraft] is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    /// <summary>True when the schema carries <c>"x-qazbus-personal-data": true</c>.</summary>
    private static bool IsPersonalData(JsonObject schema) =>
        schema[SchemaKeywords.PersonalData] is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    private static string? Text(JsonObject schema, string keyword) =>
        schema[keyword] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static decimal? Number(JsonObject schema, string keyword) =>
        // Read the number from its JSON text: a schema built in memory holds int or double values, a parsed one JsonElements.
        schema[keyword] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    private static string LimitPhrase(string keyword, decimal? value, string unit)
    {
        if (value is null)
        {
            return keyword.StartsWith("max", StringComparison.Ordinal) || keyword.StartsWith("exclusiveMax", StringComparison.Ordinal)
                ? "no upper limit"
                : "no lower limit";
        }

        var number = value.Value.ToString(CultureInfo.InvariantCulture);
        if (value.Value == 1 && unit.EndsWith('s'))
        {
            unit = unit[..^1];
        }

        return keyword switch
        {
            "exclusiveMinimum" => $"above {number}",
            "exclusiveMaximum" => $"below {number}",
            _ when keyword.StartsWith("min", StringComparison.Ordinal) => $"at least {number}{unit}",
            _ => $"at most {number}{unit}",
        };
    }

    private static string Child(string field, string name) => field.Length == 0 ? name : $"{field}.{name}";

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string PathOf(string pointer) => pointer == "#" ? "/" : pointer.TrimStart('#');

    private static string List(IEnumerable<string> values) => string.Join(", ", values);

    private static string Plural<T>(ICollection<T> items) => items.Count == 1 ? string.Empty : "s";
}
