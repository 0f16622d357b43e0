using System.Collections.Immutable;
using System.Net;

namespace Dashboard.Core.Blocks;

/// <summary>A block ready to compare: its pattern parsed once.</summary>
public sealed class BlockRule
{
    private readonly IPNetwork? _network;

    private BlockRule(ClientBlock block, IPNetwork? network)
    {
        Block = block;
        _network = network;
    }

    /// <summary>The block as stored.</summary>
    public ClientBlock Block { get; }

    /// <summary>The rule for a stored block; null when its pattern is not valid for its kind (a hand-edited row).</summary>
    public static BlockRule? Create(ClientBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (!BlockRules.NormalizePattern(block.Kind, block.Pattern).IsSuccess)
        {
            return null;
        }
        return new BlockRule(block, block.Kind == BlockKind.PeerAddress ? BlockRules.ParseNetwork(block.Pattern).Value : null);
    }

    /// <summary>Whether a client with this id, user name (null: anonymous) and address (null: unknown) matches; expiry aside.</summary>
    public bool Matches(string clientId, string? user, IPAddress? peer) => Block.Kind switch
    {
        BlockKind.ClientId => string.Equals(clientId, Block.Pattern, StringComparison.Ordinal),
        BlockKind.ClientIdPattern => WildcardPattern.IsMatch(Block.Pattern, clientId),
        BlockKind.User => user is not null && string.Equals(user, Block.Pattern, StringComparison.Ordinal),
        BlockKind.PeerAddress => peer is not null && _network!.Value.Contains(BlockRules.Normalize(peer)),
        _ => false,
    };
}

/// <summary>
/// The blocks the broker enforces, as an immutable snapshot replaced whole on every change, so a
/// connect reads one consistent list without a lock. A check walks the list once (O(blocks)) and skips
/// blocks past their expiry at that moment, so an expired block stops applying on time without anything
/// having to remove it.
/// </summary>
public sealed class ClientBlockList
{
    private ImmutableArray<BlockRule> _rules = [];

    /// <summary>The blocks in force or expired, as last set.</summary>
    public ImmutableArray<BlockRule> Rules => ImmutableInterlocked.InterlockedCompareExchange(ref _rules, default, default);

    /// <summary>Replaces the whole list; blocks whose pattern does not parse are left out.</summary>
    public void Replace(IEnumerable<ClientBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ImmutableInterlocked.InterlockedExchange(ref _rules, [.. blocks.Select(BlockRule.Create).OfType<BlockRule>()]);
    }

    /// <summary>The first block in force at <paramref name="now"/> that this client matches, or null.</summary>
    public ClientBlock? Match(string clientId, string? user, IPAddress? peer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        foreach (var rule in Rules)
        {
            if (rule.Block.IsActive(now) && rule.Matches(clientId, user, peer))
            {
                return rule.Block;
            }
        }
        return null;
    }
}
