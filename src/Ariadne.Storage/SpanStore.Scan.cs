using Ariadne.Model;
using Ariadne.Storage.Blocks;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Search;
using Ariadne.Storage.Traces;

namespace Ariadne.Storage;

internal sealed partial class SpanStore
{
    /// <summary>
    /// Finds the traces that qualify for <paramref name="request"/> and yields them whole, in batches:
    /// every span of a trace (from all blocks and the head, each span once) in the same batch, each
    /// trace once. The head comes first, then blocks from the newest. A block is skipped on its
    /// meta.json, a page on its index entry, then on its string table; only pages that can match are
    /// decoded. The enumeration is lazy, so a caller that has enough stops the work by stopping.
    /// </summary>
    public IEnumerable<SpanBatch> Scan(SpanScanRequest request, CancellationToken cancellationToken = default)
    {
        var blocks = Volatile.Read(ref _blocks);
        var heads = Heads();

        var metrics = request.Metrics ?? new ScanMetrics();
        var output = new ScanOutput(metrics);
        var found = new List<SpanRef>();
        var headStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var headMatches = new List<TraceId>();
        var headSeen = new HashSet<TraceId>();
        foreach (var head in heads)
        {
            // Every row of every batch the head holds is tested where it lies (each batch decoded once);
            // after each batch, the traces with a matching span are gathered whole and handed out.
            headSeen.Clear();
            foreach (var batch in head.Batches())
            {
                request.ThrowIfStopped(cancellationToken);
                metrics.SpansInspected += batch.SpanCount;
                metrics.HeadSpansInspected += batch.SpanCount;
                headMatches.Clear();
                var spans = batch.Spans.Rows;
                for (var i = 0; i < spans.Length; i++)
                {
                    if (SpanMatches(request, batch, i) && headSeen.Add(spans[i].TraceId))
                    {
                        headMatches.Add(spans[i].TraceId);
                    }
                }

                foreach (var traceId in headMatches)
                {
                    // A batch may still hold spans of traces the head has since handed to a block.
                    if (output.WasYielded(traceId) || !head.Contains(traceId))
                    {
                        continue;
                    }

                    found.Clear();
                    GatherTrace(traceId, found);
                    if (!AnySpanInRange(request, found))
                    {
                        continue;
                    }

                    output.Add(traceId, found);
                    if (output.SpanCount >= request.BatchSpans)
                    {
                        metrics.HeadTicks += System.Diagnostics.Stopwatch.GetTimestamp() - headStarted;
                        yield return output.Take();
                        headStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                    }
                }
            }
        }

        metrics.HeadTicks += System.Diagnostics.Stopwatch.GetTimestamp() - headStarted;

        var (slackStart, slackEnd) = WidenedRange(request);
        var columnScratch = Array.Empty<bool>();
        var newestFirst = (BlockReaderV1[])blocks.Clone();
        Array.Sort(newestFirst, static (a, b) => b.Meta.MaxEndTimeUnixNano.CompareTo(a.Meta.MaxEndTimeUnixNano));
        foreach (var block in newestFirst)
        {
            if (!Overlaps(slackStart, slackEnd, block.Meta.MinStartTimeUnixNano, block.Meta.MaxEndTimeUnixNano) || !MayMatch(request, block.Meta))
            {
                metrics.BlocksSkipped++;
                continue;
            }

            var pageCount = block.PageCount;
            for (var p = 0; p < pageCount; p++)
            {
                request.ThrowIfStopped(cancellationToken);
                var entry = block.Pages[p];
                if (!entry.Overlaps(slackStart, slackEnd) || !MayMatch(request, entry))
                {
                    metrics.PagesSkippedByIndex++;
                    continue;
                }

                SpanBatch? page = null;
                try
                {
                    var stored = block.ReadStoredPage(p);
                    metrics.BytesRead += entry.Length;
                    if (!MayMatchStrings(request, stored))
                    {
                        metrics.PagesSkippedByStrings++;
                    }
                    else if (!MayMatchColumns(request, stored, ref columnScratch))
                    {
                        // Every span was tested, on the columns alone.
                        metrics.PagesSkippedByColumns++;
                        metrics.SpansInspected += stored.SpanCount;
                    }
                    else
                    {
                        page = PageDecoder.Decode(stored.Payload());
                    }
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    QuarantineAtRuntime(block);
                    break;
                }
                catch (ObjectDisposedException)
                {
                    // Retired by compaction while this scan ran; the block that replaced it was not in
                    // this scan's list, which is the view of the store the scan started with.
                    break;
                }

                if (page is null)
                {
                    continue;
                }

                metrics.PagesDecoded++;
                metrics.SpansInspected += page.SpanCount;

                for (var start = 0; start < page.SpanCount;)
                {
                    var traceId = page.Spans[start].TraceId;
                    var end = EndOfTrace(page, start);

                    if (!output.WasYielded(traceId) && AnySpanMatches(request, page, start, end))
                    {
                        // A trace spread over several places qualifies on all its spans together: the
                        // span that matches may lie outside the time range while another is inside it.
                        found.Clear();
                        if (IsConfinedToPage(block, p, traceId, blocks, heads))
                        {
                            for (var i = start; i < end; i++)
                            {
                                found.Add(new SpanRef(page, i));
                            }
                        }
                        else
                        {
                            GatherTrace(traceId, found);
                        }

                        if (!AnySpanInRange(request, found))
                        {
                            start = end;
                            continue;
                        }

                        output.Add(traceId, found);
                        if (output.SpanCount >= request.BatchSpans)
                        {
                            yield return output.Take();
                        }
                    }

                    start = end;
                }
            }
        }

        if (output.SpanCount > 0)
        {
            yield return output.Take();
        }
    }

    /// <summary>The row after the last one of the trace that starts at <paramref name="start"/> (rows are sorted by trace id).</summary>
    private static int EndOfTrace(SpanBatch page, int start)
    {
        var spans = page.Spans.Rows;
        var end = start + 1;
        while (end < spans.Length && spans[end].TraceId == spans[start].TraceId)
        {
            end++;
        }

        return end;
    }

    /// <summary>True when no other page, block or head can hold a span of the trace, so the page alone is the whole trace.</summary>
    private static bool IsConfinedToPage(BlockReaderV1 block, int page, TraceId traceId, BlockReaderV1[] blocks, List<ITraceIndex> heads)
    {
        var pages = block.Pages;
        if ((page > 0 && pages[page - 1].LastTraceId >= traceId) || (page < pages.Length - 1 && pages[page + 1].FirstTraceId <= traceId))
        {
            return false;
        }

        foreach (var other in blocks)
        {
            if (other != block && other.MightContain(traceId))
            {
                return false;
            }
        }

        foreach (var head in heads)
        {
            if (head.Contains(traceId))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Overlaps(SpanScanRequest request, ulong start, ulong end) =>
        Overlaps(request.StartUnixNano, request.EndUnixNano, start, end);

    private static bool Overlaps(ulong rangeStart, ulong rangeEnd, ulong start, ulong end) =>
        (rangeEnd == 0 || start <= rangeEnd) && (rangeStart == 0 || end >= rangeStart);

    /// <summary>The range blocks and pages are pruned with (0 stays unbounded).</summary>
    private static (ulong Start, ulong End) WidenedRange(SpanScanRequest request)
    {
        var slack = request.TraceTimeSlackNanos;
        var start = request.StartUnixNano == 0 ? 0 : Math.Max(1, request.StartUnixNano > slack ? request.StartUnixNano - slack : 1);
        var end = request.EndUnixNano == 0 ? 0 : (ulong.MaxValue - request.EndUnixNano < slack ? ulong.MaxValue : request.EndUnixNano + slack);
        return (start, end);
    }

    private static bool MayMatch(SpanScanRequest request, BlockMeta meta)
    {
        var predicates = request.Predicates;
        if (predicates.Count == 0)
        {
            return true;
        }

        for (var i = 0; i < predicates.Count; i++)
        {
            if (predicates[i].MayMatch(meta) != request.MatchAll)
            {
                return !request.MatchAll;
            }
        }

        return request.MatchAll;
    }

    private static bool MayMatch(SpanScanRequest request, in PageIndexEntry page)
    {
        var predicates = request.Predicates;
        if (predicates.Count == 0)
        {
            return true;
        }

        for (var i = 0; i < predicates.Count; i++)
        {
            if (predicates[i].MayMatch(page) != request.MatchAll)
            {
                return !request.MatchAll;
            }
        }

        return request.MatchAll;
    }

    /// <summary>
    /// False when the predicates judged on the page's columns leave no span that can match: for "all",
    /// the spans every judged predicate accepts (predicates that cannot be judged there accept all);
    /// for "any", only when every predicate can be judged and none accepts a span.
    /// </summary>
    private static bool MayMatchColumns(SpanScanRequest request, StoredPage page, ref bool[] scratch)
    {
        var predicates = request.Predicates;
        var spans = page.SpanCount;
        if (predicates.Count == 0 || spans == 0)
        {
            return true;
        }

        if (scratch.Length < spans * 2)
        {
            scratch = new bool[Math.Max(spans * 2, BlockWriterV1.MaxPageSpans * 2)];
        }

        var result = scratch.AsSpan(0, spans);
        var one = scratch.AsSpan(spans, spans);
        result.Fill(request.MatchAll);
        var judged = 0;
        for (var i = 0; i < predicates.Count; i++)
        {
            if (!predicates[i].TryMatchColumns(page, one))
            {
                if (!request.MatchAll)
                {
                    return true;
                }

                continue;
            }

            judged++;
            var any = false;
            for (var s = 0; s < spans; s++)
            {
                var value = request.MatchAll ? result[s] & one[s] : result[s] | one[s];
                result[s] = value;
                any |= value;
            }

            if (request.MatchAll && !any)
            {
                return false;
            }
        }

        return judged == 0 || result.Contains(true);
    }

    private static bool MayMatchStrings(SpanScanRequest request, StoredPage page)
    {
        var predicates = request.Predicates;
        if (predicates.Count == 0)
        {
            return true;
        }

        for (var i = 0; i < predicates.Count; i++)
        {
            if (predicates[i].MayMatchStrings(page) != request.MatchAll)
            {
                return !request.MatchAll;
            }
        }

        return request.MatchAll;
    }

    private static bool AnySpanInRange(SpanScanRequest request, List<SpanRef> spans)
    {
        foreach (var span in spans)
        {
            if (Overlaps(request, span.Row.StartTimeUnixNano, span.Row.EndTimeUnixNano))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnySpanMatches(SpanScanRequest request, List<SpanRef> spans)
    {
        foreach (var span in spans)
        {
            if (SpanMatches(request, span.Batch, span.Index))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnySpanMatches(SpanScanRequest request, SpanBatch batch, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (SpanMatches(request, batch, i))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SpanMatches(SpanScanRequest request, SpanBatch batch, int index)
    {
        var predicates = request.Predicates;
        if (predicates.Count == 0)
        {
            return true;
        }

        for (var i = 0; i < predicates.Count; i++)
        {
            if (predicates[i].Matches(batch, index) != request.MatchAll)
            {
                return !request.MatchAll;
            }
        }

        return request.MatchAll;
    }

    /// <summary>Collects whole traces into the batch being filled, remembering which traces went out.</summary>
    private sealed class ScanOutput
    {
        private readonly HashSet<TraceId> _yielded = [];
        private readonly HashSet<SpanId> _seen = [];
        private readonly ScanMetrics _metrics;
        private SpanBatch _batch = new();
        private SpanCopier _copier;

        public ScanOutput(ScanMetrics metrics)
        {
            _metrics = metrics;
            _copier = new SpanCopier(_batch);
        }

        public int SpanCount => _batch.SpanCount;

        public bool WasYielded(TraceId traceId) => _yielded.Contains(traceId);

        public void Add(TraceId traceId, List<SpanRef> spans)
        {
            _yielded.Add(traceId);
            _metrics.TracesYielded++;
            CopyDistinct(spans, _copier, _seen);
        }

        public SpanBatch Take()
        {
            var full = _batch;
            _batch = new SpanBatch();
            _copier = new SpanCopier(_batch);
            return full;
        }
    }
}
