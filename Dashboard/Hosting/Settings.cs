using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Hosting;

/// <summary>
/// One section of the settings as an options class (<c>IOptions&lt;T&gt;</c>), filled by its
/// <see cref="Read(SettingsReader)"/> and checked when the app starts (<c>ValidateOnStart</c>). The
/// property initialisers are the defaults; <c>Read</c> lists the keys and what each allows.
/// </summary>
/// <remarks>
/// Not bound with the configuration binder: its conversion errors name a CLR type ("Failed to convert
/// configuration value ... to type 'System.Int32'") rather than what the key allows, they come before
/// any validator could say better, and it reads neither addresses, CIDR ranges nor paths. Instead a
/// value that cannot be used leaves the default in place and becomes a problem, one line naming the
/// key, the value and what is allowed; validation reports it, with every other bad key of the section.
/// </remarks>
public abstract class SettingsSection
{
    private readonly List<string> _problems = [];

    /// <summary>Reads the section's keys; one that is unset or blank keeps its default.</summary>
    public void Read(IConfiguration configuration)
    {
        var reader = new SettingsReader(configuration);
        Read(reader);
        _problems.Clear();
        _problems.AddRange(reader.Problems);
    }

    internal abstract void Read(SettingsReader read);

    /// <summary>Rules between keys, on the values read (for example a mode that needs a file).</summary>
    internal virtual IEnumerable<string> Check() => [];

    /// <summary>The values that could not be read; when there are none, what breaks a rule between keys.</summary>
    public IReadOnlyList<string> Problems() => _problems.Count > 0 ? [.. _problems] : [.. Check()];

    /// <summary>
    /// The section read and checked now, for the few settings that decide what is registered
    /// (<c>Source:Kind</c>); a problem throws as validation at start would.
    /// </summary>
    internal static T ReadNow<T>(IConfiguration configuration) where T : SettingsSection, new()
    {
        var options = new T();
        options.Read(configuration);
        return options.Problems() is { Count: > 0 } problems
            ? throw new OptionsValidationException(Options.DefaultName, typeof(T), problems)
            : options;
    }
}

/// <summary>
/// Reads single settings strictly. Each method takes the key and its current value (the default) and
/// returns the value set, or the default when the key is unset, blank or unusable; an unusable one is
/// added to <see cref="Problems"/> as one line: <c>Key "value" is not ...</c>.
/// </summary>
public sealed class SettingsReader(IConfiguration configuration)
{
    private readonly List<string> _problems = [];

    internal IReadOnlyList<string> Problems => _problems;

    /// <summary>Records a problem found by the section itself (a format of its own).</summary>
    public void Problem(string message) => _problems.Add(message);

    /// <summary>The value as written, or null when unset or empty (for passwords and keys, where blanks count).</summary>
    public string? Raw(string key) => configuration[key] is { Length: > 0 } text ? text : null;

    /// <summary>The value without surrounding blanks, or <paramref name="value"/> when unset or blank (paths, names).</summary>
    public string? Text(string key, string? value = null) => configuration[key] is { } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : value;

    /// <summary>The keys below <paramref name="key"/> (<c>Api:Keys:0</c>, <c>Api:Keys:1</c>, ...), in order.</summary>
    public IEnumerable<IConfigurationSection> Children(string key) => configuration.GetSection(key).GetChildren();

    /// <summary>A list (<c>Key:0</c>, <c>Key:1</c>, ...) or one comma-separated value; blanks dropped.</summary>
    public IReadOnlyList<string> List(string key)
    {
        var section = configuration.GetSection(key);
        var values = section.Value is { } single ? single.Split(',') : section.GetChildren().Select(child => child.Value ?? "");
        return [.. values.Select(value => value.Trim()).Where(value => value.Length > 0)];
    }

    public int Integer(string key, int value, int min, int max) => (int)Integer(key, (long)value, min, max);

    public long Integer(string key, long value, long min, long max)
    {
        if (Unset(key, out var text))
        {
            return value;
        }
        // NumberStyles.None: no sign, no decimals, no thousands separators.
        if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
        {
            return parsed;
        }
        Problem(string.Create(CultureInfo.InvariantCulture, $"{key} \"{text}\" is not a whole number from {min} to {max}."));
        return value;
    }

    public bool Boolean(string key, bool value)
    {
        if (Unset(key, out var text))
        {
            return value;
        }
        if (bool.TryParse(text.Trim(), out var parsed))
        {
            return parsed;
        }
        Problem($"{key} \"{text}\" is not true or false.");
        return value;
    }

    /// <summary>A time span (<c>hh:mm:ss</c>) above zero, or at least <paramref name="atLeast"/>; the message gives the default as an example.</summary>
    public TimeSpan Duration(string key, TimeSpan value, TimeSpan? atLeast = null)
    {
        if (Unset(key, out var text))
        {
            return value;
        }
        if (TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out var parsed) && (atLeast is { } minimum ? parsed >= minimum : parsed > TimeSpan.Zero))
        {
            return parsed;
        }
        var range = atLeast is { } least ? $"of at least {Format(least)}" : "above zero";
        Problem($"{key} \"{text}\" is not a time span {range} (hh:mm:ss, default {Format(value)}).");
        return value;
    }

    /// <summary><c>00:00:30</c>, <c>00:00:00.1</c>: as README writes time spans.</summary>
    private static string Format(TimeSpan value)
    {
        var text = value.ToString("c", CultureInfo.InvariantCulture);
        // Only a fraction of a second loses its trailing zeros (a day count also ends in a dot).
        return text.LastIndexOf('.') > text.LastIndexOf(':') ? text.TrimEnd('0') : text;
    }

    /// <summary>An IP address; <c>localhost</c> is the IPv4 loopback.</summary>
    public IPAddress Address(string key, IPAddress value)
    {
        if (Unset(key, out var text))
        {
            return value;
        }
        var trimmed = text.Trim();
        if (string.Equals(trimmed, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }
        if (IPAddress.TryParse(trimmed, out var parsed))
        {
            return parsed;
        }
        Problem($"{key} \"{text}\" is not an IP address (for example 127.0.0.1, 0.0.0.0 or ::1).");
        return value;
    }

    public int Port(string key, int value)
    {
        if (Unset(key, out var text))
        {
            return value;
        }
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed <= IPEndPoint.MaxPort)
        {
            return parsed;
        }
        Problem($"{key} \"{text}\" is not a port number (0 to 65535; 0 picks a free port).");
        return value;
    }

    /// <summary>One of the enum's names, in any case (never its number); <paramref name="allowed"/> says what is allowed when the names alone do not.</summary>
    public TEnum Choice<TEnum>(string key, TEnum value, string? allowed = null) where TEnum : struct, Enum
    {
        if (Unset(key, out var text))
        {
            return value;
        }
        var trimmed = text.Trim();
        if (!trimmed.All(char.IsDigit) && Enum.TryParse<TEnum>(trimmed, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            return parsed;
        }
        Problem($"{key} \"{text}\" is not {allowed ?? "one of " + string.Join(", ", Enum.GetNames<TEnum>().Select(name => name.ToLowerInvariant()))}.");
        return value;
    }

    /// <summary>An absolute <c>http://</c> or <c>https://</c> address; <paramref name="example"/> completes the message.</summary>
    public Uri? Url(string key, Uri? value, string example)
    {
        if (Unset(key, out var text))
        {
            return value;
        }
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return url;
        }
        Problem($"{key} \"{text}\" is not an http:// or https:// address ({example}).");
        return value;
    }

    private bool Unset(string key, out string text)
    {
        text = configuration[key] ?? "";
        return string.IsNullOrWhiteSpace(text);
    }
}

/// <summary>Registers the options classes, each validated when the app starts.</summary>
public static class SettingsRegistration
{
    /// <summary>
    /// Every section but <c>VerneMQ</c> (registered with the VerneMQ source, whose keys it requires).
    /// All are checked at start whichever source runs, the sections it does not use too.
    /// </summary>
    public static IServiceCollection AddDashboardSettings(this IServiceCollection services)
    {
        services.AddSettings<SourceOptions>();
        services.AddSettings<HttpOptions>();
        services.AddSettings<MqttOptions>();
        services.AddSettings<MetricsOptions>();
        services.AddSettings<BrokerOptions>();
        services.AddSettings<DataOptions>();
        services.AddSettings<AuthOptions>();
        services.AddSettings<ApiOptions>();
        services.AddSettings<LiveOptions>();
        services.AddSettings<FlappingOptions>();
        services.AddSettings<QueueHealthOptions>();
        services.AddSettings<TraceOptions>();
        return services;
    }

    /// <summary><typeparamref name="T"/> read from the configuration the app is built with, checked at start.</summary>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services) where T : SettingsSection, new()
    {
        services.AddOptions<T>()
            .Configure<IConfiguration>((options, configuration) => options.Read(configuration))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, SettingsValidator<T>>());
        return services;
    }

    /// <summary>
    /// Checks every section now: every bad value is reported, in one <see cref="OptionsValidationException"/>
    /// per section (an <see cref="AggregateException"/> when several fail). <c>ValidateOnStart</c> does the same
    /// when the host starts, but logs a failure with its stack trace first, and Kestrel reads the
    /// settings earlier, when the app is built; the app calls this before either, so that a bad setting
    /// stops it with nothing but its line (<see cref="SettingProblems"/>).
    /// </summary>
    public static void ValidateSettings(this IServiceProvider services) =>
        services.GetRequiredService<IStartupValidator>().Validate();
}

/// <summary>Reports a section's problems as validation failures.</summary>
internal sealed class SettingsValidator<T> : IValidateOptions<T> where T : SettingsSection
{
    public ValidateOptionsResult Validate(string? name, T options) =>
        options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}

/// <summary>
/// What an operator sees of a setting that stops the start: one line per problem, no stack trace, exit
/// code 2. Settings problems come as <see cref="OptionsValidationException"/> (the options' validation at
/// start, several of them in an <see cref="AggregateException"/>) or as <see cref="SettingException"/>
/// (what only opening a file shows, such as an expired certificate, found when Kestrel starts).
/// </summary>
public static class SettingProblems
{
    public const int ExitCode = 2;

    /// <summary>The lines to print for <paramref name="exception"/>; empty when it is not about settings.</summary>
    public static IReadOnlyList<string> Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var exceptions = exception is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [exception];
        var lines = new List<string>();
        foreach (var inner in exceptions)
        {
            switch (inner)
            {
                case OptionsValidationException validation:
                    lines.AddRange(validation.Failures);
                    break;
                case SettingException setting:
                    lines.Add(setting.Message);
                    break;
                default:
                    return [];
            }
        }
        return lines;
    }
}
