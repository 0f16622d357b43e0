using Dashboard.Security;

namespace Dashboard.Tests.Security;

public sealed class AuditLogTests : IDisposable
{
    private readonly SecurityFixture _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Append_ThenReopen_EntryIsThere()
    {
        var written = _db.Audit.Append("alice", AuditActions.SessionDisconnect, "client1", """{"cleanup":true}""", "Disconnected client1");

        // A new database instance with every pooled connection closed reads only what was committed.
        _db.Reopen();

        Assert.Equal(written, _db.AuditEntries().Single());
        Assert.Equal(_db.Time.GetUtcNow(), written.Time);
    }

    [Fact]
    public void Query_NewestFirst()
    {
        Seed();

        Assert.Equal(["c3", "c2", "c1"], _db.AuditEntries().Select(e => e.Target));
    }

    [Fact]
    public void Query_EachFilter_MatchesExactly()
    {
        Seed();

        Assert.Equal(["c3", "c1"], Targets(new AuditQuery { Actor = "alice" }));
        Assert.Equal(["c2"], Targets(new AuditQuery { Action = AuditActions.SessionReauthorize }));
        Assert.Equal(["c2"], Targets(new AuditQuery { Target = "c2" }));
        Assert.Equal(["c1"], Targets(new AuditQuery { Actor = "alice", Action = AuditActions.SessionDisconnect, Target = "c1" }));
        Assert.Empty(Targets(new AuditQuery { Actor = "ALICE" }));
    }

    [Fact]
    public void Query_TimeRange_FromInclusiveToExclusive()
    {
        var start = _db.Time.GetUtcNow();
        Seed();

        Assert.Equal(["c2"], Targets(new AuditQuery { From = start.AddMinutes(1), To = start.AddMinutes(2) }));
        Assert.Equal(["c3", "c2"], Targets(new AuditQuery { From = start.AddMinutes(1) }));
        Assert.Equal(["c1"], Targets(new AuditQuery { To = start.AddMinutes(1) }));
    }

    [Fact]
    public void Query_Limit_CutsAndSaysSo()
    {
        Seed();

        var two = _db.Audit.Query(new AuditQuery { Limit = 2 }).Value;
        var three = _db.Audit.Query(new AuditQuery { Limit = 3 }).Value;

        Assert.Equal(["c3", "c2"], two.Entries.Select(e => e.Target));
        Assert.True(two.LimitReached);
        Assert.False(three.LimitReached);
    }

    [Theory]
    [InlineData(0, "The limit must be between 1 and 100000 (got 0)")]
    [InlineData(100_001, "The limit must be between 1 and 100000 (got 100001)")]
    public void Query_BadLimit_FailsWithMessage(int limit, string message) =>
        Assert.Equal(message, _db.Audit.Query(new AuditQuery { Limit = limit }).Error);

    [Fact]
    public void Query_RangeBackwards_FailsWithMessage()
    {
        var now = _db.Time.GetUtcNow();

        Assert.Equal("The time range ends before it starts", _db.Audit.Query(new AuditQuery { From = now, To = now.AddSeconds(-1) }).Error);
    }

    [Fact]
    public void Query_FilterValuesWithSqlCharacters_AreJustText()
    {
        _db.Audit.Append("x' OR '1'='1", AuditActions.SignIn, "t", "", "Failed");
        _db.Audit.Append("bob", AuditActions.SignIn, "t", "", "Failed");

        Assert.Single(_db.AuditEntries(new AuditQuery { Actor = "x' OR '1'='1" }));
    }

    [Fact]
    public void ToCsv_HeaderRowsAndUtcTimes()
    {
        _db.Audit.Append("alice", AuditActions.SessionDisconnect, "client,1", """{"cleanup":true}""", "Disconnected client,1");

        var csv = AuditLog.ToCsv(_db.AuditEntries());

        Assert.Equal(
            "id,time,actor,action,target,parameters,result\r\n" +
            "1,2025-03-01T12:00:00.000Z,alice,session.disconnect,\"client,1\",\"{\"\"cleanup\"\":true}\",\"Disconnected client,1\"\r\n",
            csv);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData("@SUM(A1)")]
    [InlineData("\tx")]
    [InlineData("\rx")]
    public void ToCsv_FormulaLikeText_Neutralised(string hostile)
    {
        _db.Audit.Append(hostile, AuditActions.SignIn, hostile, "", hostile);

        var row = AuditLog.ToCsv(_db.AuditEntries()).Split("\r\n")[1];

        // Every hostile cell starts with a quote character (possibly inside CSV quoting), never the formula sign.
        Assert.DoesNotContain("," + hostile[0], row, StringComparison.Ordinal);
        Assert.DoesNotContain(",\"" + hostile[0], row, StringComparison.Ordinal);
        Assert.Contains("'" + hostile[0], row, StringComparison.Ordinal);
    }

    // Three entries a minute apart: alice disconnects c1, bob reauthorizes c2, alice disconnects c3.
    private void Seed()
    {
        _db.Audit.Append("alice", AuditActions.SessionDisconnect, "c1", "", "Disconnected c1");
        _db.Time.Advance(TimeSpan.FromMinutes(1));
        _db.Audit.Append("bob", AuditActions.SessionReauthorize, "c2", "", "Unchanged");
        _db.Time.Advance(TimeSpan.FromMinutes(1));
        _db.Audit.Append("alice", AuditActions.SessionDisconnect, "c3", "", "No session c3");
    }

    private string[] Targets(AuditQuery query) => [.. _db.AuditEntries(query).Select(e => e.Target)];
}
