namespace Dashboard.E2E;

/// <summary>
/// A setting that cannot be used stops the real app before anything listens: exit code 2 and one line
/// per bad value naming its key and what it allows, nothing else on standard output or error.
/// </summary>
public sealed class SettingsTests : IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "dashboard-e2e-settings-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    [Theory(Timeout = 60_000)]
    // Read when the services are registered (it decides which are).
    [InlineData("Source:Kind \"Mosquitto\" is not a source: Embedded (default) or VerneMQ.", "--Source:Kind=Mosquitto")]
    // Checked at start by the options' validation.
    [InlineData("Broker:MaxQueuedMessages \"-5\" is not a whole number from 1 to 2147483647.", "--Broker:MaxQueuedMessages=-5")]
    [InlineData("Auth:RevalidateInterval \"soon\" is not a time span above zero (hh:mm:ss, default 00:00:30).", "--Auth:RevalidateInterval=soon")]
    [InlineData("Api:Keys:0:Scope \"admin\" is not mgmt or read.", "--Api:Keys:0:Key=e2e-key", "--Api:Keys:0:Scope=admin")]
    [InlineData("VerneMQ:Nodes:0:Url \"ftp://127.0.0.1:8888\" is not an http:// or https:// address (for example http://127.0.0.1:8888).",
        "--Source:Kind=VerneMQ", "--VerneMQ:Nodes:0:Url=ftp://127.0.0.1:8888", "--VerneMQ:ApiKey=e2e-key")]
    public async Task BadSetting_ExitCode2_OneLineNamingTheKey(string message, params string[] settings)
    {
        var (code, output) = await StartAsync(settings);

        Assert.Equal(2, code);
        Assert.Equal(message, Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact(Timeout = 60_000)]
    public async Task TwoBadSettings_ExitCode2_OneLineEach()
    {
        var (code, output) = await StartAsync("--Http:Port=http", "--Trace:MaxConcurrent=0");

        Assert.Equal(2, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("Http:Port \"http\" is not a port number (0 to 65535; 0 picks a free port).", lines);
        Assert.Contains("Trace:MaxConcurrent \"0\" is not a whole number from 1 to 50.", lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task DamagedSecurityDatabase_ExitCode2_OneLineSayingWhatToDo()
    {
        Directory.CreateDirectory(_dataPath);
        var file = Path.Combine(Path.GetFullPath(_dataPath), "dashboard.db");
        // What a bad disk or a stray write leaves: no SQLite header.
        await File.WriteAllBytesAsync(file, [.. Enumerable.Repeat((byte)'x', 8192)], TestContext.Current.CancellationToken);

        var (code, output) = await StartAsync();

        Assert.Equal(2, code);
        Assert.Equal($"The dashboard's database {file} cannot be read (the file is damaged or is not a database), so the dashboard "
            + "cannot start: restore the file from a backup, or move it aside to start with an empty database (Data:Path).",
            Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(8192, new FileInfo(file).Length);
    }

    private Task<(int Code, string Output)> StartAsync(params string[] settings) =>
        TlsTests.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Dashboard.dll"), "--Http:Port=0", "--Mqtt:Port=0",
            "--Data:Path=" + _dataPath, "--Auth:AdminPassword=e2e-admin-password", .. settings]);
}
