using System.Globalization;
using System.Text;
using Dashboard.Core.Output;
using Dashboard.Core.Sessions;

namespace Dashboard.Core.Query;

/// <summary>Turns filters into predicates over rows, comparing by each field's type (docs/query-language.md#comparing-values).</summary>
internal static class FilterCompiler
{
    /// <summary>The word that matches a missing value (VerneMQ's <c>undefined</c>).</summary>
    public const string Undefined = "undefined";

    /// <summary>Why the filter cannot be used, or null when it can.</summary>
    public static string? Validate(SessionField field, FieldFilter filter)
    {
        if (filter.Kind == FilterKind.Regex)
        {
            return SafeRegex.Compile(filter.Value).Error;
        }
        if (filter.Value == Undefined)
        {
            return null;
        }
        return field.Type switch
        {
            FieldType.Integer when !long.TryParse(filter.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) =>
                $"Invalid value for {field.Name}: \"{filter.Value}\" is not a whole number",
            FieldType.Boolean when filter.Value is not ("true" or "false") =>
                $"Invalid value for {field.Name}: \"{filter.Value}\" is not true or false",
            _ => null,
        };
    }

    /// <summary>
    /// A test of a subscription's topic for a <c>topic</c> filter that <see cref="Validate"/> accepted:
    /// what <see cref="Compile"/> gives on the subscription's row, without building the row. A topic
    /// is the text the store shares between its subscribers, so a regex answer is cached per string.
    /// </summary>
    public static Func<string?, bool> CompileTopic(FieldFilter filter)
    {
        if (filter.Kind == FilterKind.Regex)
        {
            var matcher = SafeRegex.CompileMatcher(filter.Value).Value;
            return topic => topic is not null && matcher.IsMatchShared(topic);
        }
        var text = filter.Value;
        return text == Undefined
            ? topic => topic is null || topic == text
            : topic => topic is not null && topic == text;
    }

    /// <summary>A predicate for a filter that <see cref="Validate"/> accepted.</summary>
    public static Func<SessionRow, bool> Compile(SessionField field, FieldFilter filter)
    {
        var read = FieldCatalog.Getter(field);
        if (filter.Kind == FilterKind.Regex)
        {
            var matcher = SafeRegex.CompileMatcher(filter.Value).Value;
            if (field.Type == FieldType.Text)
            {
                return row => read(row) is string text && matcher.IsMatch(text);
            }
            // Other types match against the text the table shows for them.
            return row => read(row) is { } value && matcher.IsMatch(ValueText.Plain(value));
        }
        var isUndefined = filter.Value == Undefined;
        switch (field.Type)
        {
            case FieldType.Integer:
                if (isUndefined)
                {
                    return row => read(row) is null;
                }
                var number = long.Parse(filter.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                return row => read(row) is long value && value == number;
            case FieldType.Boolean:
                if (isUndefined)
                {
                    return row => read(row) is null;
                }
                var flag = filter.Value == "true";
                return row => read(row) is bool value && value == flag;
            case FieldType.Binary:
                if (isUndefined)
                {
                    return row => read(row) is null;
                }
                var bytes = Encoding.UTF8.GetBytes(filter.Value);
                return row => read(row) is ReadOnlyMemory<byte> value && value.Span.SequenceEqual(bytes);
            default:
                var text = filter.Value;
                // "undefined" matches a missing value (anonymous user, offline queue) and the word itself.
                return isUndefined
                    ? row => read(row) is not string value || value == text
                    : row => read(row) is string value && value == text;
        }
    }
}
