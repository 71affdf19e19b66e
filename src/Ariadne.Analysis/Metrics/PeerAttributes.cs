using Ariadne.Model;

namespace Ariadne.Analysis.Metrics;

/// <summary>
/// Names the peer of a client or producer span whose other side is not instrumented, from its
/// attributes in this order: <c>peer.service</c>, <c>db.namespace</c>, <c>db.name</c>, <c>db.system</c>,
/// <c>server.address</c>, <c>net.peer.name</c>, <c>messaging.destination.name</c>. One pass over the attributes.
/// </summary>
internal static class PeerAttributes
{
    private const int None = int.MaxValue;

    public static bool TryFind(SpanBatch batch, in SpanRow span, out Utf8Ref name, out bool isDatabase)
    {
        var best = None;
        name = default;
        isDatabase = false;
        foreach (ref readonly var attribute in batch.AttributesOf(span.Attributes))
        {
            if (attribute.Value.Kind != ValueKind.String || attribute.Value.Length == 0)
            {
                continue;
            }

            var rank = Rank(batch.Utf8(attribute.Key));
            if (rank is >= 1 and <= 3)
            {
                isDatabase = true;
            }

            if (rank < best)
            {
                best = rank;
                name = attribute.Value.StringRef;
            }
        }

        return best != None;
    }

    private static int Rank(ReadOnlySpan<byte> key) => key.Length switch
    {
        7 when key.SequenceEqual("db.name"u8) => 2,
        9 when key.SequenceEqual("db.system"u8) => 3,
        12 when key.SequenceEqual("peer.service"u8) => 0,
        12 when key.SequenceEqual("db.namespace"u8) => 1,
        13 when key.SequenceEqual("net.peer.name"u8) => 5,
        14 when key.SequenceEqual("server.address"u8) => 4,
        26 when key.SequenceEqual("messaging.destination.name"u8) => 6,
        _ => None,
    };
}
