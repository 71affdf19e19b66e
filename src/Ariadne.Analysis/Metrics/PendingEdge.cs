namespace Ariadne.Analysis.Metrics;

/// <summary>One side of a request waiting for the other: what is needed to record the edge once it pairs or expires.</summary>
internal readonly record struct PendingEdge(
    bool IsClientSide,
    bool IsMessaging,
    int Service,
    int VirtualPeer,
    ulong DurationNanos,
    bool Failed,
    ulong StartTimeUnixNano);
