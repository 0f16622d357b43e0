namespace Dashboard.Tests.Api;

/// <summary>
/// The examples of VerneMQ's documentation page "Inspecting and managing sessions" (the seed examples) for
/// <see cref="SeedScenario"/>: the <c>vmq-admin session show</c> words, the table it prints and the API's
/// JSON. The first two tables and the <c>--topic=some/topic</c> and timestamp ones are that page's bytes;
/// its other subscription tables were edited by hand there (their widths do not add up), so they are
/// given as the centring rule of docs/query-language.md#output-formats prints them. Ports and timestamps
/// are the page's and are replaced with the run's by <see cref="SeedScenario.Localize"/>.
/// </summary>
public static class SeedExamples
{
    public static TheoryData<string, string, string> All => new()
    {
        {
            "",
            """
            +---------+---------+----------+---------+---------+---------+
            |client_id|is_online|mountpoint|peer_host|peer_port|  user   |
            +---------+---------+----------+---------+---------+---------+
            | client2 |  true   |          |127.0.0.1|  37098  |undefined|
            | client1 |  true   |          |127.0.0.1|  37094  |undefined|
            +---------+---------+----------+---------+---------+---------+

            """,
            """{"table":[{"client_id":"client2","is_online":true,"mountpoint":"","peer_host":"127.0.0.1","peer_port":37098,"user":null},{"client_id":"client1","is_online":true,"mountpoint":"","peer_host":"127.0.0.1","peer_port":37094,"user":null}],"type":"table"}"""
        },
        {
            "--node --is_online --client_id=client1",
            """
            +---------+--------------+
            |is_online|     node     |
            +---------+--------------+
            |  true   |dev2@127.0.0.1|
            +---------+--------------+

            """,
            """{"table":[{"is_online":true,"node":"dev2@127.0.0.1"}],"type":"table"}"""
        },
        {
            "--topic --client_id",
            """
            +---------+-----------------+
            |client_id|      topic      |
            +---------+-----------------+
            | client2 |some/other/topic1|
            | client1 |some/other/topic2|
            | client1 |   some/topic    |
            +---------+-----------------+

            """,
            """{"table":[{"client_id":"client2","topic":"some/other/topic1"},{"client_id":"client1","topic":"some/other/topic2"},{"client_id":"client1","topic":"some/topic"}],"type":"table"}"""
        },
        {
            "--topic --client_id --topic=some/topic",
            """
            +---------+----------+
            |client_id|  topic   |
            +---------+----------+
            | client1 |some/topic|
            +---------+----------+

            """,
            """{"table":[{"client_id":"client1","topic":"some/topic"}],"type":"table"}"""
        },
        {
            "--topic --client_id --topic=~some/other/.*",
            """
            +---------+-----------------+
            |client_id|      topic      |
            +---------+-----------------+
            | client2 |some/other/topic1|
            | client1 |some/other/topic2|
            +---------+-----------------+

            """,
            """{"table":[{"client_id":"client2","topic":"some/other/topic1"},{"client_id":"client1","topic":"some/other/topic2"}],"type":"table"}"""
        },
        {
            "--client_id=client1 --queue_started_at --session_started_at",
            """
            +----------------+------------------+
            |queue_started_at|session_started_at|
            +----------------+------------------+
            | 1549379963575  |  1549379974905   |
            +----------------+------------------+

            """,
            """{"table":[{"queue_started_at":1549379963575,"session_started_at":1549379974905}],"type":"table"}"""
        },
    };

    /// <summary>The words as the HTTP API's query string, each part percent-encoded.</summary>
    public static string QueryString(string words) =>
        string.Join('&', words.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));
}
