using System.Text;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Deque.AxeCore.Commons;
using Dashboard.Security;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.E2E;

/// <summary>
/// axe-core on every page, signed in as an Admin (who sees the most), in the light and the dark theme:
/// no violation of impact serious or critical, nor of the landmark, heading and title rules fixed once. The message lists each violation with the selectors of
/// the elements it found, so a failure says what to fix without a rerun.
/// </summary>
public sealed class AccessibilityTests(DashboardApp app) : DashboardPageTest(app)
{
    private static readonly float Interactive = 30_000;

    private static readonly string[] Blocking = ["serious", "critical"];

    // Moderate, but each was found once and fixed: a main landmark, content inside landmarks,
    // one banner, headings without skipped levels, a title. Failing on them keeps them fixed.
    private static readonly string[] FixedRules =
    [
        "landmark-one-main", "region", "landmark-no-duplicate-banner", "landmark-unique", "heading-order", "page-has-heading-one",
        "document-title",
    ];

    public static TheoryData<string> Themes => ["light", "dark"];

    [Theory]
    [MemberData(nameof(Themes))]
    public async Task EveryPage_NoSeriousOrCriticalViolations(string theme)
    {
        // An online client with a subscription and a queued message, and an offline one whose missing
        // values show as "undefined"; --limit=1 adds the note that the limit cut the rows.
        var prefix = $"a11y-{theme}";
        var online = new QueueKey("", prefix + "-online");
        App.Store.Apply(new ClientConnected(online, false, "a11y-user", "127.0.0.1", 4711, 5, SessionExpiry: 3600));
        App.Store.Apply(new SubscriptionAdded(online, new Subscription("plant/+/temp", 1, false, false)));
        App.Store.Apply(new MessageQueued(online, new QueuedMessage(prefix + "-msg", 1, "plant/7/temp", false, "21.5"u8.ToArray())));
        // Client ids run descending: "parked" comes before "online", so the limit keeps the offline one.
        var offline = new QueueKey("", prefix + "-parked");
        App.Store.Apply(new ClientConnected(offline, false, null, "127.0.0.1", 4712, 4));
        App.Store.Apply(new ClientDisconnected(offline));
        // Entries as wide as real ones, so the audit table scrolls sideways beside the drawer as it does in use.
        var audit = App.Services.GetRequiredService<AuditLog>();
        foreach (var action in new[] { AuditActions.SessionReauthorize, AuditActions.WallTokenCreate })
        {
            audit.Append("a11y-operator-with-a-long-name", action, online.ClientId + "/and/a/long/target/name",
                AuditLog.Parameters(("username", "a11y-user-name"), ("mountpoint", "")), "Removed plant/+/temp; Added plant/7/temp");
        }
        var dark = theme == "dark";
        await Page.EmulateMediaAsync(new() { ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light });

        var pages = new (string Name, string Path, Func<Task> Ready)[]
        {
            ("sessions", "/sessions?q=" + Uri.EscapeDataString($"--client_id=~^{prefix}- --limit=1"),
                async () =>
                {
                    await Expect(RunButton).ToBeEnabledAsync(new() { Timeout = Interactive });
                    await Expect(Cell(offline.ClientId)).ToBeVisibleAsync();
                }),
            ("session detail", "/sessions/" + online.ClientId,
                () => Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Start trace" })).ToBeEnabledAsync(new() { Timeout = Interactive })),
            ("offline session detail", "/sessions/" + offline.ClientId,
                () => Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Start trace" })).ToBeEnabledAsync(new() { Timeout = Interactive })),
            ("audit", "/audit", () => EnabledAsync("Apply")),
            ("users", "/admin/users", () => EnabledAsync("Add user")),
            ("API keys", "/admin/keys", () => EnabledAsync("Create API key")),
            ("wall tokens", "/admin/tokens", () => EnabledAsync("Create wall token")),
            ("blocked clients", "/blocks", () => EnabledAsync("Block")),
            ("change password", "/account/password", () => EnabledAsync("Change password")),
            ("not found", "/no-such-page", () => Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Not Found" })).ToBeVisibleAsync()),
            ("wall", "/wall", () => Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" })).ToBeVisibleAsync(new() { Timeout = Interactive })),
        };

        var report = new StringBuilder();
        foreach (var (name, path, ready) in pages)
        {
            await Page.GotoAsync(App.BaseUrl + path);
            await ready();
            // The circuit's first render replaces the prerendered head; let it finish before reading the title.
            await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            if (dark && path is not ("/wall" or "/no-such-page"))
            {
                // The theme follows the browser once the circuit has asked it.
                await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" })).ToBeVisibleAsync();
            }
            await Expect(Page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex(@"\S"));
            await AuditAsync(Page, name, report);
            await SaveScreenshotAsync($"a11y-{theme}-{name.Replace(' ', '-')}");
        }

        // A dialog, open over the session's page.
        await Page.GotoAsync(App.BaseUrl + "/sessions/" + online.ClientId);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Start trace" })).ToBeEnabledAsync(new() { Timeout = Interactive });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await AuditAsync(Page, "disconnect dialog", report);
        await SaveScreenshotAsync($"a11y-{theme}-disconnect-dialog");

        // The sign-in page, in a browser that is not signed in.
        await using var anonymous = await Browser.NewContextAsync(new()
        {
            Locale = "en-US", ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light, ViewportSize = new() { Width = 1280, Height = 800 },
        });
        var login = await anonymous.NewPageAsync();
        await login.GotoAsync(App.BaseUrl + "/login");
        await Expect(login.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await AuditAsync(login, "sign-in", report);

        Assert.True(report.Length == 0, $"axe-core found violations ({theme} theme):\n{report}");
    }

    private Task EnabledAsync(string button) =>
        Expect(Page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true })).ToBeEnabledAsync(new() { Timeout = Interactive });

    /// <summary>Runs axe-core on the page as it is; appends what must fail the test to <paramref name="report"/>.</summary>
    internal static async Task AuditAsync(IPage page, string name, StringBuilder report)
    {
        var result = await page.RunAxe();
        foreach (var violation in result.Violations.Where(IsBlocking))
        {
            report.AppendLine($"{name} ({page.Url}): {violation.Impact} {violation.Id}: {violation.Help}");
            foreach (var node in violation.Nodes)
            {
                report.AppendLine($"    {node.Target}  {Summary(node)}");
            }
        }
        // Moderate and minor findings are listed in the test output, not failed on.
        foreach (var violation in result.Violations.Where(v => !IsBlocking(v)))
        {
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{name}: {violation.Impact} {violation.Id}: {violation.Help} ({string.Join(", ", violation.Nodes.Select(n => n.Target?.ToString()))})");
        }
    }

    private static bool IsBlocking(AxeResultItem violation) => Blocking.Contains(violation.Impact) || FixedRules.Contains(violation.Id);

    private static string Summary(AxeResultNode node) =>
        string.Join("; ", (node.Any ?? []).Concat(node.All ?? []).Concat(node.None ?? []).Select(check => check.Message).Distinct());
}
