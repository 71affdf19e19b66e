using Ariadne.Model;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// Where a page is, which trace ids it covers (the block's rows are sorted by trace id), and the
/// statistics that let a search skip the page without reading it: time range, longest span, and
/// which span kinds and status codes occur (one bit per enum value).
/// </summary>
internal readonly record struct PageIndexEntry(TraceId FirstTraceId, TraceId LastTraceId, long Offset, int Length, int SpanCount)
{
    public const int Size = 76;

    public ulong MinStartUnixNano { get; init; }

    public ulong MaxEndUnixNano { get; init; }

    public ulong MaxDurationNanos { get; init; }

    public byte KindMask { get; init; }

    public byte StatusMask { get; init; }

    public bool MayHaveKind(SpanKind kind) => (KindMask & (1 << (int)kind)) != 0;

    public bool MayHaveStatus(StatusCode status) => (StatusMask & (1 << (int)status)) != 0;

    public bool Overlaps(ulong start, ulong end) =>
        (end == 0 || MinStartUnixNano <= end) && (start == 0 || MaxEndUnixNano >= start);
}
