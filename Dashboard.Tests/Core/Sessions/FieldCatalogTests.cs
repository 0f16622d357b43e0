using Dashboard.Core.Sessions;

namespace Dashboard.Tests.Core.Sessions;

public class FieldCatalogTests
{
    [Fact]
    public void All_ListsTheThirtyOneFieldsOfTheSpecAndFiveExtensions_WithUniqueNamesAndDescriptions()
    {
        // 31 of VerneMQ, plus dropped_messages, reconnects, flapping, queue_over_threshold and dropping.
        Assert.Equal(36, FieldCatalog.All.Count);
        Assert.Equal(36, FieldCatalog.All.Select(f => f.Name).Distinct().Count());
        Assert.All(FieldCatalog.All, f => Assert.False(string.IsNullOrWhiteSpace(f.Description)));
    }

    [Theory]
    [InlineData(FieldGroup.Queue, "node mountpoint client_id queue_pid")]
    [InlineData(FieldGroup.QueueState, "session_pid is_offline is_online statename deliver_mode offline_messages online_messages num_sessions clean_session is_plugin queue_started_at queue_size dropped_messages reconnects flapping queue_over_threshold dropping")]
    [InlineData(FieldGroup.Connection, "user peer_host peer_port protocol waiting_acks session_started_at")]
    [InlineData(FieldGroup.Subscription, "topic qos rap no_local")]
    [InlineData(FieldGroup.Message, "msg_ref msg_qos routing_key dup payload")]
    public void All_GroupsFieldsAsTheSpec(FieldGroup group, string names) =>
        Assert.Equal(names.Split(' '), FieldCatalog.All.Where(f => f.Group == group).Select(f => f.Name));

    [Theory]
    [InlineData("client_id", FieldType.Text)]
    [InlineData("user", FieldType.Text)]
    [InlineData("peer_port", FieldType.Integer)]
    [InlineData("queue_started_at", FieldType.Integer)]
    [InlineData("is_online", FieldType.Boolean)]
    [InlineData("rap", FieldType.Boolean)]
    [InlineData("topic", FieldType.Text)]
    [InlineData("payload", FieldType.Binary)]
    public void TryGet_KnownField_HasItsType(string name, FieldType type)
    {
        Assert.True(FieldCatalog.TryGet(name, out var field));
        Assert.Equal(type, field.Type);
    }

    [Fact]
    public void TryGet_UnknownOrDifferentCase_IsFalse()
    {
        Assert.False(FieldCatalog.TryGet("foo", out _));
        Assert.False(FieldCatalog.TryGet("Client_Id", out _));
    }

    [Fact]
    public void DefaultColumns_AreTheSixOfTheSpec() =>
        Assert.Equal(["client_id", "is_online", "mountpoint", "peer_host", "peer_port", "user"], FieldCatalog.DefaultColumns);
}
