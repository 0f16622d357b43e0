using Dashboard.Cli;
using Dashboard.Tests.Api;

namespace Dashboard.Tests.Cli;

/// <summary><c>Dashboard session show</c> against the real app and mosquitto_sub sessions: vmq-admin's output.</summary>
public sealed class SessionClientSeedTests(SeedScenario seed) : IClassFixture<SeedScenario>
{
    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string? key, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SessionClient.RunAsync(args, seed.Api.Host.HttpUrl.ToString(), key, output, error,
            cancellationToken: TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Theory]
    [MemberData(nameof(SeedExamples.All), MemberType = typeof(SeedExamples))]
    public async Task Show_SeedExample_PrintsTheSeedTable(string words, string table, string json)
    {
        _ = json;

        var (exitCode, output, error) = await RunAsync(ApiTestHost.MgmtKey, ["show", .. words.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        Assert.Equal((0, ""), (exitCode, error));
        Assert.Equal(seed.Localize(table), output);
    }

    [Fact]
    public async Task Executable_SessionShow_ReadsTheEnvironmentAndPrintsTheSeedTable()
    {
        // The real Dashboard executable (copied beside the tests), so the dispatch in Program and the
        // environment variables are covered too.
        var info = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Dashboard.dll"), "session", "show", "--topic", "--client_id", "--topic=some/topic" })
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DASHBOARD_URL"] = seed.Api.Host.HttpUrl.ToString();
        info.Environment["DASHBOARD_API_KEY"] = ApiTestHost.MgmtKey;
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal((0, ""), (process.ExitCode, await error));
        Assert.Equal("+---------+----------+\n|client_id|  topic   |\n+---------+----------+\n| client1 |some/topic|\n+---------+----------+\n", await output);
    }

    [Fact]
    public async Task Show_ValueAsNextWord_FiltersLikeVmqAdmin()
    {
        var (exitCode, output, _) = await RunAsync(ApiTestHost.MgmtKey, "show", "--client_id", "client2", "--client_id");

        Assert.Equal(0, exitCode);
        Assert.Equal("+---------+\n|client_id|\n+---------+\n| client2 |\n+---------+\n", output);
    }

    [Fact]
    public async Task Show_FormatJson_PrintsTheApiJson()
    {
        var (exitCode, output, _) = await RunAsync(ApiTestHost.ReadKey, "show", "--client_id", "--topic", "--topic=~some/.*", "--format=json");

        Assert.Equal(0, exitCode);
        Assert.Equal("""{"table":[{"client_id":"client2","topic":"some/other/topic1"},{"client_id":"client1","topic":"some/other/topic2"},{"client_id":"client1","topic":"some/topic"}],"type":"table"}""" + "\n", output);
    }

    [Fact]
    public async Task Show_FormatCsv_PrintsCsv()
    {
        var (exitCode, output, _) = await RunAsync(ApiTestHost.MgmtKey, "show", "--client_id", "--topic=some/topic", "--format=csv");

        Assert.Equal(0, exitCode);
        Assert.Equal("client_id\r\nclient1\r\n", output);
    }

    [Fact]
    public async Task Show_NoMatch_PrintsNothing()
    {
        var (exitCode, output, error) = await RunAsync(ApiTestHost.MgmtKey, "show", "--client_id=nobody");

        Assert.Equal((0, "", ""), (exitCode, output, error));
    }

    [Theory]
    [InlineData("Invalid key: \"foo\"\n", "show", "--foo")]
    [InlineData("Invalid value for --limit: \"abc\" is not a whole number (0 or more)\n", "show", "--limit=abc")]
    [InlineData("Missing client-id: session disconnect client-id=X [--mountpoint=M] [--cleanup]\n", "disconnect", "--cleanup")]
    public async Task Run_InvalidQuery_ExitsNonZeroWithTheServersMessage(string message, params string[] args)
    {
        var (exitCode, output, error) = await RunAsync(ApiTestHost.MgmtKey, args);

        Assert.Equal((1, "", message), (exitCode, output, error));
    }

    [Fact]
    public async Task Run_NoKey_ExitsNonZeroAndNamesTheVariable()
    {
        var (exitCode, _, error) = await RunAsync(null, "show");

        Assert.Equal(1, exitCode);
        Assert.Equal($"The dashboard at {seed.Api.Host.HttpUrl} needs an API key (401): set DASHBOARD_API_KEY to one of its Api:Keys\n", error);
    }

    [Fact]
    public async Task Run_WrongKey_ExitsNonZero()
    {
        var (exitCode, _, error) = await RunAsync("wrong", "show");

        Assert.Equal(1, exitCode);
        Assert.Equal($"The dashboard at {seed.Api.Host.HttpUrl} refused the API key in DASHBOARD_API_KEY (401)\n", error);
    }

    [Fact]
    public async Task Disconnect_ReadKey_ExitsNonZeroWithTheAlert()
    {
        var (exitCode, _, error) = await RunAsync(ApiTestHost.ReadKey, "disconnect", "client-id=client1");

        Assert.Equal(1, exitCode);
        Assert.Equal("This API key has the read scope: session disconnect needs a key with the mgmt scope\n", error);
        Assert.True(seed.Api.Host.Store.Get(new("", "client1"))!.IsOnline);
    }
}
