using Dashboard.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Hosting;

/// <summary>The settings as the app registers them, on an in-memory configuration of <c>Key=value</c> lines.</summary>
internal static class SettingsHost
{
    /// <summary>Keys the VerneMQ section requires, for tests of its other keys.</summary>
    public static readonly string[] VerneMqRequired = ["VerneMQ:Nodes:0:Url=http://127.0.0.1:8888", "VerneMQ:ApiKey=a-key-for-the-settings-test"];

    public static ServiceProvider Provider(bool verneMq, params string[] settings) => Services(verneMq, settings).BuildServiceProvider();

    /// <summary>The settings' registrations, for a test to add the services that use them.</summary>
    public static IServiceCollection Services(bool verneMq, params string[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(setting =>
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            return new KeyValuePair<string, string?>(setting[..equals], setting[(equals + 1)..]);
        })).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(TimeProvider.System);
        services.AddDashboardSettings();
        if (verneMq)
        {
            services.AddSettings<VerneMqOptions>();
        }
        return services;
    }

    /// <summary>One section bound from <paramref name="settings"/> (checked, as the app reads it).</summary>
    public static T Options<T>(params string[] settings) where T : class =>
        Provider(typeof(T) == typeof(VerneMqOptions), settings).GetRequiredService<IOptions<T>>().Value;

    /// <summary>The lines a start with <paramref name="settings"/> prints (none when every setting is fine).</summary>
    public static IReadOnlyList<string> Problems(bool verneMq, params string[] settings)
    {
        using var provider = Provider(verneMq, settings);
        try
        {
            provider.ValidateSettings();
            return [];
        }
        catch (Exception exception)
        {
            var lines = SettingProblems.Of(exception);
            Assert.True(lines.Count > 0, $"not a settings problem: {exception}");
            return lines;
        }
    }
}
