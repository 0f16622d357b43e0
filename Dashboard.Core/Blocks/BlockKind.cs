namespace Dashboard.Core.Blocks;

/// <summary>What a block compares with a connecting client.</summary>
public enum BlockKind
{
    /// <summary>The client id, exactly (case-sensitive, as MQTT client ids are).</summary>
    ClientId,

    /// <summary>The client id against a pattern where <c>*</c> is any run of characters and <c>?</c> one character.</summary>
    ClientIdPattern,

    /// <summary>The user name, exactly (case-sensitive); anonymous clients have none and never match.</summary>
    User,

    /// <summary>The peer address: one IPv4/IPv6 address or a CIDR network.</summary>
    PeerAddress,
}

/// <summary>The names of <see cref="BlockKind"/> in the API, the audit log and the database.</summary>
public static class BlockKinds
{
    /// <summary>The name of <see cref="BlockKind.ClientId"/>.</summary>
    public const string ClientIdName = "client_id";
    /// <summary>The name of <see cref="BlockKind.ClientIdPattern"/>.</summary>
    public const string ClientIdPatternName = "client_id_pattern";
    /// <summary>The name of <see cref="BlockKind.User"/>.</summary>
    public const string UserName = "user";
    /// <summary>The name of <see cref="BlockKind.PeerAddress"/>.</summary>
    public const string PeerAddressName = "peer_address";

    /// <summary>Every kind's name, in the order forms offer them.</summary>
    public static IReadOnlyList<string> Names { get; } = [ClientIdName, ClientIdPatternName, UserName, PeerAddressName];

    /// <summary>The kind's name (<c>client_id</c>).</summary>
    public static string Name(this BlockKind kind) => kind switch
    {
        BlockKind.ClientId => ClientIdName,
        BlockKind.ClientIdPattern => ClientIdPatternName,
        BlockKind.User => UserName,
        BlockKind.PeerAddress => PeerAddressName,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>How a person reads the kind ("client id pattern").</summary>
    public static string Label(this BlockKind kind) => kind switch
    {
        BlockKind.ClientId => "client id",
        BlockKind.ClientIdPattern => "client id pattern",
        BlockKind.User => "user name",
        BlockKind.PeerAddress => "peer address",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The kind with this name; false for anything else.</summary>
    public static bool TryParse(string? name, out BlockKind kind)
    {
        switch (name)
        {
            case ClientIdName:
                kind = BlockKind.ClientId;
                return true;
            case ClientIdPatternName:
                kind = BlockKind.ClientIdPattern;
                return true;
            case UserName:
                kind = BlockKind.User;
                return true;
            case PeerAddressName:
                kind = BlockKind.PeerAddress;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}
