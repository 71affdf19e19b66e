using System.Buffers.Binary;
using Ariadne.Model;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Search;

namespace Ariadne.Storage;

internal sealed partial class SpanStore
{
    /// <summary>
    /// Every stored span whose start lies in the request's range and that meets all its predicates,
    /// as columns — spans, not traces: nothing is gathered, nothing decoded beyond the columns read.
    /// Only predicates that can be judged on a page's columns are allowed (status, kind, duration, span
    /// name, service); on a page written before services had a column, those are tested on its rows. Pages are pruned on their index entry and string table first. A span stored twice (received
    /// twice and not yet compacted) is yielded twice.
    /// </summary>
    /// <exception cref="ArgumentException">A predicate cannot be judged on columns, or the request is an any-of.</exception>
    public IEnumerable<SpanColumnChunk> ScanSpanColumns(SpanScanRequest request, bool names, bool services = false, CancellationToken cancellationToken = default)
    {
        foreach (var predicate in request.Predicates)
        {
            if (predicate.Field is not (SpanField.Status or SpanField.Kind or SpanField.Duration or SpanField.Name or SpanField.ServiceName))
            {
                throw new ArgumentException($"{predicate} cannot be judged on columns", nameof(request));
            }
        }

        if (!request.MatchAll && request.Predicates.Count > 0)
        {
            throw new ArgumentException("column scans take all-of predicates", nameof(request));
        }

        var metrics = request.Metrics ?? new ScanMetrics();
        var chunk = new SpanColumnChunk();
        var (start, end) = (request.StartUnixNano, request.EndUnixNano == 0 ? ulong.MaxValue : request.EndUnixNano);

        foreach (var head in Heads())
        {
            foreach (var batch in head.Batches())
            {
                request.ThrowIfStopped(cancellationToken);
                chunk.Reset(batch.SpanCount);
                metrics.SpansInspected += batch.SpanCount;
                var rows = batch.Spans.Rows;
                for (var i = 0; i < rows.Length; i++)
                {
                    ref readonly var row = ref rows[i];
                    if (row.StartTimeUnixNano >= start && row.StartTimeUnixNano < end && SpanMatches(request, batch, i))
                    {
                        chunk.Add(row.StartTimeUnixNano, row.DurationNanos, (byte)((byte)row.Kind | ((byte)row.StatusCode << 4)), names ? batch.GetString(row.Name) : string.Empty, services ? batch.GetString(batch.ServiceNameOf(row)) : string.Empty, row.TraceId, row.SpanId);
                    }
                }

                if (chunk.Count > 0)
                {
                    yield return chunk;
                }
            }
        }

        var matches = Array.Empty<bool>();
        foreach (var block in Volatile.Read(ref _blocks))
        {
            if (!Overlaps(start, end, block.Meta.MinStartTimeUnixNano, block.Meta.MaxEndTimeUnixNano) || !MayMatch(request, block.Meta))
            {
                metrics.BlocksSkipped++;
                continue;
            }

            for (var p = 0; p < block.PageCount; p++)
            {
                request.ThrowIfStopped(cancellationToken);
                var entry = block.Pages[p];
                if (!entry.Overlaps(start, end) || !MayMatch(request, entry))
                {
                    metrics.PagesSkippedByIndex++;
                    continue;
                }

                try
                {
                    var page = block.ReadStoredPage(p);
                    metrics.BytesRead += entry.Length;
                    if (!MayMatchStrings(request, page))
                    {
                        metrics.PagesSkippedByStrings++;
                        continue;
                    }

                    if (matches.Length < page.SpanCount * 2)
                    {
                        matches = new bool[Math.Max(page.SpanCount, BlockWriterV1.MaxPageSpans) * 2];
                    }

                    var judged = matches.AsSpan(0, page.SpanCount);
                    var one = matches.AsSpan(page.SpanCount, page.SpanCount);
                    if (page.Column((int)PageColumns.ResourceServices).IsEmpty && (services || HasServicePredicate(request)))
                    {
                        // An older page: its services are read from its rows.
                        metrics.SpansInspected += page.SpanCount;
                        metrics.PagesDecoded++;
                        var rows = PageDecoder.Decode(page.Payload());
                        chunk.Reset(rows.SpanCount);
                        for (var i = 0; i < rows.SpanCount; i++)
                        {
                            ref readonly var row = ref rows.Spans[i];
                            if (row.StartTimeUnixNano >= start && row.StartTimeUnixNano < end && SpanMatches(request, rows, i))
                            {
                                chunk.Add(row.StartTimeUnixNano, row.DurationNanos, (byte)((byte)row.Kind | ((byte)row.StatusCode << 4)), names ? rows.GetString(row.Name) : string.Empty, services ? rows.GetString(rows.ServiceNameOf(row)) : string.Empty, row.TraceId, row.SpanId);
                            }
                        }
                    }
                    else if (!JudgeOnColumns(request, page, judged, one))
                    {
                        metrics.PagesSkippedByColumns++;
                        metrics.SpansInspected += page.SpanCount;
                        continue;
                    }

                    else
                    {
                        metrics.SpansInspected += page.SpanCount;
                        chunk.Reset(page.SpanCount);
                        ReadColumns(page, judged, start, end, names, services, chunk);
                    }
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    QuarantineAtRuntime(block);
                    break;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }

                if (chunk.Count > 0)
                {
                    yield return chunk;
                }
            }
        }
    }

    /// <summary>Sets which spans of the page meet every predicate; false when none does.</summary>
    private static bool JudgeOnColumns(SpanScanRequest request, StoredPage page, Span<bool> matches, Span<bool> one)
    {
        matches.Fill(true);
        if (request.Predicates.Count == 0)
        {
            return true;
        }

        foreach (var predicate in request.Predicates)
        {
            if (!predicate.TryMatchColumns(page, one))
            {
                throw new InvalidOperationException($"{predicate} was not judged on columns");
            }

            var any = false;
            for (var i = 0; i < matches.Length; i++)
            {
                matches[i] &= one[i];
                any |= matches[i];
            }

            if (!any)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds the page's matching spans that start in [start, end) to the chunk, from the columns they need.</summary>
    private static bool HasServicePredicate(SpanScanRequest request)
    {
        foreach (var predicate in request.Predicates)
        {
            if (predicate.Field == SpanField.ServiceName)
            {
                return true;
            }
        }

        return false;
    }

    private static void ReadColumns(StoredPage page, ReadOnlySpan<bool> matches, ulong start, ulong end, bool names, bool services, SpanColumnChunk chunk)
    {
        var traces = new ColumnReader(page.Column((int)PageColumns.Traces));
        var times = new ColumnReader(page.Column((int)PageColumns.Times));
        var durations = new ColumnReader(page.Column((int)PageColumns.Durations));
        var kindStatus = page.Column((int)PageColumns.KindStatus);
        var spanIds = page.Column((int)PageColumns.SpanIds);
        var nameColumn = names ? new ColumnReader(page.Column((int)PageColumns.Names)) : default;
        var strings = names || services ? PageStringTable(page) : [];
        var spanServices = services ? SpanPredicate.SpanServices(page, strings.Length - 1) : [];
        var minStart = times.Varint();
        var traceCount = traces.Count(page.SpanCount);
        var row = 0;
        for (var t = 0; t < traceCount; t++)
        {
            var traceId = new TraceId(traces.UInt64(), traces.UInt64());
            var spans = traces.Count(page.SpanCount - row);
            var previous = 0UL;
            for (var s = 0; s < spans; s++, row++)
            {
                var spanStart = s == 0 ? minStart + times.Varint() : (ulong)((long)previous + times.SignedVarint());
                previous = spanStart;
                var duration = durations.Varint();
                var name = names ? strings[nameColumn.Count(strings.Length - 1)] : string.Empty;
                if (matches[row] && spanStart >= start && spanStart < end)
                {
                    chunk.Add(spanStart, duration > long.MaxValue ? 0 : duration, kindStatus[row], name, services ? strings[spanServices[row]] : string.Empty, traceId, new SpanId(BinaryPrimitives.ReadUInt64BigEndian(spanIds[(row * 8)..])));
                }
            }
        }

        if (row != page.SpanCount || kindStatus.Length != row || spanIds.Length != row * 8)
        {
            throw new InvalidDataException("page columns do not agree on the number of rows");
        }
    }

    private static string[] PageStringTable(StoredPage page)
    {
        var column = page.Column((int)PageColumns.Strings);
        var reader = new ColumnReader(column);
        var count = reader.Count(column.Length);
        var strings = new string[count + 1];
        strings[0] = string.Empty;
        for (var i = 1; i <= count; i++)
        {
            strings[i] = System.Text.Encoding.UTF8.GetString(reader.Bytes());
        }

        return strings;
    }
}
