using System.Buffers;

namespace Dashboard.Core.Broker;

/// <summary>A cheap fingerprint of a payload, to recognise a queued message when it goes out.</summary>
internal static class PayloadHash
{
    public static int Of(ReadOnlySpan<byte> payload)
    {
        var hash = new HashCode();
        hash.AddBytes(payload);
        return hash.ToHashCode();
    }

    public static int Of(in ReadOnlySequence<byte> payload) =>
        payload.IsSingleSegment ? Of(payload.FirstSpan) : Of(payload.ToArray());
}
