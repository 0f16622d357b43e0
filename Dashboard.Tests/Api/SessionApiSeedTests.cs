namespace Dashboard.Tests.Api;

/// <summary>The seed document's examples through the HTTP API, against sessions made by mosquitto_sub.</summary>
public sealed class SessionApiSeedTests(SeedScenario seed) : IClassFixture<SeedScenario>
{
    [Theory]
    [MemberData(nameof(SeedExamples.All), MemberType = typeof(SeedExamples))]
    public async Task Show_SeedExample_ReturnsTheSeedRows(string words, string table, string json)
    {
        _ = table;
        var (status, body, response) = await seed.Api.SendAsync($"/api/v1/session/show?{SeedExamples.QueryString(words)}");

        Assert.Equal(200, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(seed.Localize(json), body);
    }

    [Theory]
    [MemberData(nameof(SeedExamples.All), MemberType = typeof(SeedExamples))]
    public async Task Show_SeedExampleFormatHuman_ReturnsTheSeedTable(string words, string table, string json)
    {
        _ = json;
        var query = SeedExamples.QueryString(words + " --format=human");

        var (status, body, _) = await seed.Api.SendAsync($"/api/v1/sessions/show?{query}");

        Assert.Equal(200, status);
        Assert.Equal(seed.Localize(table), body);
    }

    [Fact]
    public async Task Show_UnencodedVerneMqQueryString_ReadsFlagsAsVerneMqDoes()
    {
        var (status, body, _) = await seed.Api.SendAsync("/api/v1/session/show?--topic&--client_id&--topic=~some/other/.*");

        Assert.Equal(200, status);
        Assert.Equal("""{"table":[{"client_id":"client2","topic":"some/other/topic1"},{"client_id":"client1","topic":"some/other/topic2"}],"type":"table"}""", body);
    }

    [Fact]
    public async Task Show_FormatCsv_ReturnsHeaderAndRows()
    {
        var (status, body, response) = await seed.Api.SendAsync("/api/v1/session/show?--topic&--client_id&--topic=some%2Ftopic&--format=csv");

        Assert.Equal(200, status);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("client_id,topic\r\nclient1,some/topic\r\n", body);
    }

    [Fact]
    public async Task Show_ReadKeyAsBasicAuthUser_IsAllowed()
    {
        var (status, body) = await seed.Api.SendBasicAsync("/api/v1/session/show?--client_id=client2&--client_id", ApiTestHost.ReadKey, "ignored");

        Assert.Equal(200, status);
        Assert.Equal("""{"table":[{"client_id":"client2"}],"type":"table"}""", body);
    }

    [Fact]
    public async Task Show_NoMatch_ReturnsAnEmptyTable()
    {
        var (status, body, _) = await seed.Api.SendAsync("/api/v1/session/show?--client_id=nobody");

        Assert.Equal(200, status);
        Assert.Equal("""{"table":[],"type":"table"}""", body);
    }

    [Fact]
    public async Task Show_LimitZero_ReturnsAnEmptyTable()
    {
        var (status, body, _) = await seed.Api.SendAsync("/api/v1/session/show?--limit=0");

        Assert.Equal(200, status);
        Assert.Equal("""{"table":[],"type":"table"}""", body);
    }

    [Fact]
    public async Task Show_LimitOne_CountsRowsNotSessions()
    {
        var (status, body, _) = await seed.Api.SendAsync("/api/v1/session/show?--topic&--client_id=client1&--limit=1");

        Assert.Equal(200, status);
        Assert.Equal("""{"table":[{"topic":"some/other/topic2"}],"type":"table"}""", body);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheSessionCommands()
    {
        var (status, body, _) = await seed.Api.SendAsync("/openapi/v1.json", key: null);

        Assert.Equal(200, status);
        Assert.Contains("\"/api/v1/session/show\"", body, StringComparison.Ordinal);
        Assert.Contains("\"/api/v1/session/disconnect\"", body, StringComparison.Ordinal);
        Assert.Contains("\"/api/v1/session/reauthorize\"", body, StringComparison.Ordinal);
        Assert.Contains("\"/api/v2/session/disconnect\"", body, StringComparison.Ordinal);
    }
}
