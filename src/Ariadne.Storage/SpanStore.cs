using System.Diagnostics.CodeAnalysis;
using Ariadne.Model;
using Ariadne.Storage.Blocks;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Compression;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;
using Ariadne.Storage.Traces;

namespace Ariadne.Storage;

/// <summary>
/// Durable span storage for one tenant. Every batch is appended to the ingest log and acknowledged only
/// once it is on disk; it then sits in the head, searchable, until a flush writes the head into an
/// immutable block and deletes the log segments it came from. Reads merge blocks and head, each span
/// (trace id + span id) once, the earliest stored copy winning.
/// </summary>
internal sealed partial class SpanStore : IAsyncDisposable
{
    public const string WalDirectory = "wal";
    public const string BlocksDirectory = "blocks";
    public const string QuarantineDirectory = "quarantine";

    /// <summary>Blocks merged at once; each holds one decoded page in memory while it is merged.</summary>
    public const int MaxCompactionInputs = 16;

    private readonly SpanStoreOptions _options;
    private readonly IngestLog _log;
    private readonly LogReplayResult _replay;
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>
    /// Held by compaction and retention, which replace or remove blocks; cuts only add blocks, so they
    /// take <see cref="_flushing"/> and never wait for a long merge. Every change of the block list is
    /// made under <see cref="_blocksLock"/> from the list as it is then.
    /// </summary>
    private readonly SemaphoreSlim _compacting = new(1, 1);
    private readonly Lock _blocksLock = new();
    private ITraceIndex _head;
    private ITraceIndex? _beingFlushed;
    private BlockReaderV1[] _blocks;
    private long _failedAppends;
    private long _recordsRejected;
    private long _quarantined;
    private long _incompleteBlocksRemoved;

    private SpanStore(SpanStoreOptions options, IngestLog log, ITraceIndex head, BlockReaderV1[] blocks, LogReplayResult replay, long quarantined, long incomplete, long recordsRejected)
    {
        _recordsRejected = recordsRejected;
        _options = options;
        _log = log;
        _head = head;
        _blocks = blocks;
        _replay = replay;
        _quarantined = quarantined;
        _incompleteBlocksRemoved = incomplete;
    }

    /// <summary>Traces in the head: received and not yet cut into a block (Tempo's live traces).</summary>
    public long HeadTraceCount => Volatile.Read(ref _head).TraceCount;

    /// <summary>Spans of <paramref name="traceId"/> in the head; spans already cut into blocks are not counted.</summary>
    public int HeadSpanCountOf(TraceId traceId) => Volatile.Read(ref _head).SpanCountOf(traceId);

    public StorageStatistics Statistics
    {
        get
        {
            var blocks = Volatile.Read(ref _blocks);
            long blockSpans = 0, blockTraces = 0, blockBytes = 0;
            foreach (var block in blocks)
            {
                blockSpans += block.Meta.SpanCount;
                blockTraces += block.Meta.TraceCount;
                blockBytes += block.Meta.DataBytes + block.Meta.IndexBytes + block.Meta.BloomBytes;
            }

            var head = Volatile.Read(ref _head);
            return new StorageStatistics(
                head.SpanCount + blockSpans,
                head.TraceCount + blockTraces,
                _log.SizeBytes,
                _replay.RecordsReplayed,
                _replay.TornRecordsTruncated,
                _log.FsyncCount,
                _log.LastFsyncDuration,
                Interlocked.Read(ref _failedAppends))
            {
                HeadSpans = head.SpanCount,
                Blocks = blocks.Length,
                BlockBytes = blockBytes,
                BlocksQuarantined = Interlocked.Read(ref _quarantined),
                IncompleteBlocksRemoved = _incompleteBlocksRemoved,
                RecordsRejected = Interlocked.Read(ref _recordsRejected),
                CorruptLogRegions = _replay.CorruptRegions,
                LogWrittenBytes = _log.WrittenBytes,
                FsyncLatency = _log.FsyncLatency,
            };
        }
    }

    public static Task<SpanStore> OpenAsync(SpanStoreOptions options, CancellationToken cancellationToken = default)
    {
        return Task.Run(() =>
        {
            var device = options.Device;
            var (blocks, quarantined, incomplete) = OpenBlocks(options);
            var head = new InMemoryTraceIndex();
            SpanStore? store = null;
            long rejected = 0;
            var log = IngestLog.Open(
                new IngestLogOptions
                {
                    Directory = Path.Combine(options.DataDirectory, WalDirectory),
                    Device = device,
                    SegmentSizeBytes = options.SegmentSizeBytes,
                    MaxGroupCommitDelay = options.MaxGroupCommitDelay ?? TimeSpan.Zero,
                    MaxQueuedAppends = options.MaxQueuedAppends,
                    MaxRecordBytes = options.MaxRecordBytes,
                },
                (sequence, kind, payload) =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (kind == LogRecordHeader.SpanRecordKind && SpanRecord.TryDecode(payload.Span, out _, out var decoded))
                    {
                        head.Add(payload.ToArray(), decoded);
                    }
                    else if (kind == LogRecordHeader.SpanBatchKind && SpanBatchCodec.TryDecode(payload.Span, out var batch, out _))
                    {
                        // Written before records were compressed.
                        head.Add(batch!);
                    }
                    else
                    {
                        // Checksums matched, so the bytes are as written: a writer bug or a newer format.
                        // Counted and skipped rather than failing the whole store.
                        rejected++;
                    }
                },
                out var replay,
                (_, state) =>
                {
                    var (record, batch) = ((byte[], SpanBatch))state!;
                    Volatile.Read(ref store!._head).Add(record, batch);
                });
            store = new SpanStore(options, log, head, blocks, replay, quarantined, incomplete, rejected);
            return store;
        }, cancellationToken);
    }

    private static (BlockReaderV1[] Blocks, long Quarantined, long Incomplete) OpenBlocks(SpanStoreOptions options)
    {
        var device = options.Device;
        var root = Path.Combine(options.DataDirectory, BlocksDirectory);
        device.CreateDirectory(root);
        var blocks = new List<BlockReaderV1>();
        long quarantined = 0, incomplete = 0;
        foreach (var directory in device.ListDirectories(root))
        {
            if (!device.FileExists(Path.Combine(directory, BlockFiles.Meta)))
            {
                // Written up to a crash but never finished: nothing in it was ever read, and its spans
                // are still in the ingest log.
                device.DeleteDirectory(directory);
                incomplete++;
                continue;
            }

            try
            {
                blocks.Add(BlockReaderV1.Open(device, directory));
            }
            catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or IOException)
            {
                Quarantine(options, directory);
                quarantined++;
            }
        }

        return ([.. blocks], quarantined, incomplete);
    }

    /// <summary>
    /// Makes the batch durable, then visible. The store keeps the batch: the caller must not change it afterwards.
    /// </summary>
    public async ValueTask AppendAsync(SpanBatch batch, CancellationToken cancellationToken = default)
    {
        // Encoded and compressed here, on the caller's thread: the log record and the head share the bytes.
        var record = SpanRecord.Encode(batch, 0);
        try
        {
            await _log.AppendAsync(
                LogRecordHeader.SpanRecordKind,
                record.Length,
                (destination, _) => record.CopyTo(destination),
                (record, batch),
                cancellationToken);
        }
        catch (StorageUnavailableException)
        {
            Interlocked.Increment(ref _failedAppends);
            throw;
        }
    }

    /// <summary>
    /// Writes everything in the head into a new block and deletes the log segments it came from. Spans
    /// appended meanwhile go to a fresh head and a fresh segment. Returns the new block, if any.
    /// </summary>
    public async Task<BlockMeta?> FlushAsync(CancellationToken cancellationToken = default)
    {
        var written = await CutAsync(TimeSpan.Zero, 0, 0, cancellationToken);
        return written.Count > 0 ? written[0] : null;
    }

    /// <summary>
    /// Writes the complete traces of the head — those without a new span for
    /// <paramref name="traceIdlePeriod"/> — into new blocks and deletes the log segments they came from.
    /// Live traces stay in the head: their spans are appended again to the fresh log segment (durably,
    /// before the old segments go), up to <paramref name="maxLiveSpans"/>; past that everything is written,
    /// since a trace split over blocks still reads whole. Returns the new blocks, oldest traces first.
    /// </summary>
    /// <remarks>
    /// With <paramref name="maxBlockSpans"/> above 0 a head holding more spans than that is written as
    /// several blocks of whole traces, one after another, and only the batches of the block being
    /// written are decoded: a head that grew while cuts fell behind then costs no more memory to cut
    /// than one of the usual size. Compaction joins the blocks later.
    /// </remarks>
    public async Task<IReadOnlyList<BlockMeta>> CutAsync(TimeSpan traceIdlePeriod, long maxLiveSpans, long maxBlockSpans = 0, CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            ITraceIndex? flushed = null;
            var closed = await _log.RollAsync(
                () =>
                {
                    flushed = _head;
                    Volatile.Write(ref _beingFlushed, flushed);
                    Volatile.Write(ref _head, new InMemoryTraceIndex());
                },
                cancellationToken);

            var (complete, live) = flushed!.SplitByIdle(traceIdlePeriod);
            if (live.SpanCount > maxLiveSpans)
            {
                complete.AddRange(live);
                live.Clear();
            }

            var written = new List<BlockMeta>();
            var blocksRoot = Path.Combine(_options.DataDirectory, BlocksDirectory);
            foreach (var slice in complete.Slices(maxBlockSpans))
            {
                BlockMeta meta;
                try
                {
                    meta = BlockWriterV1.Write(_options.Device, blocksRoot, _options.Tenant, flushed.SpansOf(slice), _options.Codec);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The spans stay readable from the head being flushed and durable in the closed segments;
                    // put them back so the next flush tries again (those of blocks already written read once).
                    Restore(flushed);
                    throw new StorageUnavailableException($"block could not be written: {e.Message}", e);
                }

                var reader = BlockReaderV1.Open(_options.Device, Path.Combine(blocksRoot, meta.BlockId.ToString("N")));
                lock (_blocksLock)
                {
                    Volatile.Write(ref _blocks, [.. _blocks, reader]);
                }

                written.Add(meta);
            }

            if (live.SpanCount > 0)
            {
                var liveSpans = flushed.SpansOf(live);
                try
                {
                    // Not cancellable: once the blocks are visible, the live spans must reach the new segment.
                    await CarryOverAsync(liveSpans, CancellationToken.None);
                }
                catch (StorageUnavailableException)
                {
                    // The closed segments still hold the live spans durably, so they are kept (a restart
                    // replays them; spans stored twice read once).
                    Restore(liveSpans);
                    throw;
                }
            }

            Volatile.Write(ref _beingFlushed, null);
            _log.DeleteSegments(closed);
            return written;
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>
    /// Merges small blocks into one: spans deduplicated, traces split across blocks joined. Inputs are
    /// blocks smaller than half of <paramref name="maxBlockBytes"/> and of about one size (see
    /// <see cref="ChooseInputs"/>), at least <paramref name="minInputs"/> of them. The inputs are streamed
    /// page by page, so memory does not depend on block sizes. Returns the merged block, or null when there was nothing to merge.
    /// </summary>
    /// <remarks>
    /// With <paramref name="pauseAboveHeadSpans"/> above 0 the merge pauses while the head holds more
    /// spans than that: a head past its limit means cuts are falling behind, every span waiting in it
    /// is held in memory, and a merge only makes reads cheaper, so the CPU goes to the cuts first.
    /// </remarks>
    public async Task<BlockMeta?> CompactAsync(long maxBlockBytes, int minInputs = 2, long pauseAboveHeadSpans = 0, CancellationToken cancellationToken = default)
    {
        await _compacting.WaitAsync(cancellationToken);
        try
        {
            var candidates = Volatile.Read(ref _blocks)
                .Where(b => BlockBytes(b) < maxBlockBytes / 2)
                .OrderBy(b => b.Meta.MinStartTimeUnixNano)
                .ToList();
            var inputs = ChooseInputs(candidates, maxBlockBytes, Math.Max(2, minInputs));
            if (inputs.Count == 0)
            {
                return null;
            }

            var blocksRoot = Path.Combine(_options.DataDirectory, BlocksDirectory);
            long expectedTraces = 0;
            foreach (var block in inputs)
            {
                expectedTraces += block.Meta.TraceCount;
            }

            BlockMeta meta;
            BlockWriterV1? writer = null;
            try
            {
                writer = BlockWriterV1.Create(_options.Device, blocksRoot, _options.Tenant, _options.Codec, (int)Math.Min(expectedTraces, int.MaxValue), PageCompressor.ZstdCompactionLevel);
                BlockMerger.Merge(inputs, writer, pauseAboveHeadSpans > 0 ? () => Volatile.Read(ref _head).SpanCount > pauseAboveHeadSpans : null, cancellationToken);
                meta = writer.Complete();
            }
            catch (DamagedBlockException e)
            {
                // A damaged input is quarantined; the next round merges the others.
                writer?.Abandon();
                QuarantineAtRuntime(e.Block);
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                AbandonQuietly(writer);
                throw new StorageUnavailableException($"compacted block could not be written: {e.Message}", e);
            }
            catch (OperationCanceledException)
            {
                AbandonQuietly(writer);
                throw;
            }
            finally
            {
                writer?.Dispose();
            }

            var merged = BlockReaderV1.Open(_options.Device, Path.Combine(blocksRoot, meta.BlockId.ToString("N")));

            // The merged block is visible before its inputs go, so no read misses the spans.
            lock (_blocksLock)
            {
                Volatile.Write(ref _blocks, [.. _blocks.Where(b => !inputs.Contains(b)), merged]);
            }

            Retire(inputs);
            return meta;
        }
        finally
        {
            _compacting.Release();
        }
    }

    /// <summary>
    /// Merges round after round (as <see cref="CompactAsync"/>) until nothing is left to merge, and
    /// returns the merged blocks. Cuts of a busy head write many small blocks; one merge of at most
    /// <see cref="MaxCompactionInputs"/> of them per compaction interval would fall ever further behind.
    /// </summary>
    public async Task<IReadOnlyList<BlockMeta>> CompactAllAsync(long maxBlockBytes, int minInputs = 2, long pauseAboveHeadSpans = 0, CancellationToken cancellationToken = default)
    {
        var merged = new List<BlockMeta>();
        while (await CompactAsync(maxBlockBytes, minInputs, pauseAboveHeadSpans, cancellationToken) is { } meta)
        {
            merged.Add(meta);
        }

        return merged;
    }

    /// <summary>
    /// Deletes blocks whose newest span is older than <paramref name="maxAge"/>, then the oldest blocks
    /// while all blocks together exceed <paramref name="maxBytes"/> (0 = no size cap). Returns how many went.
    /// </summary>
    public async Task<int> ApplyRetentionAsync(TimeSpan maxAge, long maxBytes, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await _compacting.WaitAsync(cancellationToken);
        try
        {
            var cutoff = (ulong)Math.Max(0, (now - maxAge).ToUnixTimeMilliseconds()) * 1_000_000UL;
            var byAge = Volatile.Read(ref _blocks).OrderBy(b => b.Meta.MaxEndTimeUnixNano).ToList();
            var expired = byAge.Where(b => b.Meta.MaxEndTimeUnixNano < cutoff).ToList();
            var kept = byAge.Except(expired).ToList();
            var total = kept.Sum(BlockBytes);
            while (maxBytes > 0 && total > maxBytes && kept.Count > 0)
            {
                expired.Add(kept[0]);
                total -= BlockBytes(kept[0]);
                kept.RemoveAt(0);
            }

            if (expired.Count == 0)
            {
                return 0;
            }

            lock (_blocksLock)
            {
                Volatile.Write(ref _blocks, [.. _blocks.Where(b => !expired.Contains(b))]);
            }

            Retire(expired);
            return expired.Count;
        }
        finally
        {
            _compacting.Release();
        }
    }

    private static void AbandonQuietly(BlockWriterV1? writer)
    {
        try
        {
            writer?.Abandon();
        }
        catch (IOException)
        {
            // Left for the next start, which removes block folders without meta.json.
        }
    }

    /// <summary>How much larger than the smallest block of a size tier a block of the same tier may be.</summary>
    private const int CompactionTierRatio = 4;

    /// <summary>
    /// The inputs of the next merge, from <paramref name="candidates"/> (oldest first): blocks of about
    /// one size, from the smallest tier that has at least <paramref name="minInputs"/> of them — each
    /// tier runs from its smallest block to <see cref="CompactionTierRatio"/> times that — oldest first,
    /// as many as fit into <paramref name="maxBlockBytes"/> and at most <see cref="MaxCompactionInputs"/>.
    /// Merging by size keeps every span's rewrites few: taking the oldest blocks of any size would put
    /// the block grown by earlier merges into every merge of fresh cut blocks and rewrite it each time.
    /// Empty when no tier has enough.
    /// </summary>
    private static List<BlockReaderV1> ChooseInputs(List<BlockReaderV1> candidates, long maxBlockBytes, int minInputs)
    {
        var bySize = candidates.OrderBy(BlockBytes).ToList();
        for (var first = 0; first < bySize.Count;)
        {
            var limit = Math.Max(1, BlockBytes(bySize[first])) * CompactionTierRatio;
            var end = first;
            while (end < bySize.Count && BlockBytes(bySize[end]) <= limit)
            {
                end++;
            }

            var tier = bySize.GetRange(first, end - first).ToHashSet();
            var inputs = new List<BlockReaderV1>();
            long total = 0;
            foreach (var block in candidates)
            {
                if (!tier.Contains(block))
                {
                    continue;
                }

                if (total + BlockBytes(block) > maxBlockBytes || inputs.Count == MaxCompactionInputs)
                {
                    break;
                }

                inputs.Add(block);
                total += BlockBytes(block);
            }

            if (inputs.Count >= minInputs)
            {
                return inputs;
            }

            first = end;
        }

        return [];
    }

    private static long BlockBytes(BlockReaderV1 block) => block.Meta.DataBytes + block.Meta.IndexBytes + block.Meta.BloomBytes;

    /// <summary>
    /// Deletes blocks no longer listed. Reads that took the old list may still be using a reader, so
    /// readers close a little later; on Linux the open file stays readable after it is deleted.
    /// </summary>
    private void Retire(List<BlockReaderV1> blocks)
    {
        foreach (var block in blocks)
        {
            _options.Device.DeleteDirectory(block.Directory);
        }

        _options.Device.SyncDirectory(Path.Combine(_options.DataDirectory, BlocksDirectory));
        _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(
            _ =>
            {
                foreach (var block in blocks)
                {
                    block.Dispose();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>Appends copies of live spans to the current log segment; they reach the head as any append does.</summary>
    private async Task CarryOverAsync(List<SpanRef> live, CancellationToken cancellationToken)
    {
        const int SpansPerRecord = 4096;
        for (var start = 0; start < live.Count; start += SpansPerRecord)
        {
            var batch = new SpanBatch();
            var copier = new SpanCopier(batch);
            var end = Math.Min(live.Count, start + SpansPerRecord);
            for (var i = start; i < end; i++)
            {
                copier.CopySpan(live[i].Batch, live[i].Index);
            }

            await AppendAsync(batch, cancellationToken);
        }
    }

    private void Restore(ITraceIndex flushed) => Restore(flushed.AllSpans());

    private void Restore(List<SpanRef> spans)
    {
        var head = Volatile.Read(ref _head);
        foreach (var span in spans)
        {
            var single = new SpanBatch();
            new SpanCopier(single).CopySpan(span.Batch, span.Index);
            head.Add(single);
        }

        Volatile.Write(ref _beingFlushed, null);
    }

    /// <summary>Every (service, span name, kind) in the head and in the blocks' meta.json.</summary>
    public HashSet<SpanOperation> Operations()
    {
        var operations = new HashSet<SpanOperation>();
        foreach (var block in Volatile.Read(ref _blocks))
        {
            foreach (var operation in block.Meta.Operations)
            {
                if (Enum.TryParse<SpanKind>(operation.Kind, ignoreCase: true, out var kind))
                {
                    operations.Add(new SpanOperation(operation.Service, operation.Name, kind));
                }
            }
        }

        Volatile.Read(ref _beingFlushed)?.CollectOperations(operations);
        Volatile.Read(ref _head).CollectOperations(operations);
        return operations;
    }

    public bool TryGetTrace(TraceId traceId, [NotNullWhen(true)] out SpanBatch? trace)
    {
        var found = new List<SpanRef>();
        GatherTrace(traceId, found);
        if (found.Count == 0)
        {
            trace = null;
            return false;
        }

        trace = new SpanBatch();
        CopyDistinct(found, new SpanCopier(trace), new HashSet<SpanId>());
        return true;
    }

    /// <summary>Copies each span once (by span id; the first copy wins); all spans must belong to one trace.</summary>
    private static void CopyDistinct(List<SpanRef> spans, SpanCopier copier, HashSet<SpanId> seen)
    {
        seen.Clear();
        foreach (var span in spans)
        {
            if (seen.Add(span.Row.SpanId))
            {
                copier.CopySpan(span.Batch, span.Index);
            }
        }
    }

    /// <summary>Every stored copy of the trace's spans: blocks, then the head being flushed, then the head.</summary>
    private void GatherTrace(TraceId traceId, List<SpanRef> found)
    {
        foreach (var block in Volatile.Read(ref _blocks))
        {
            try
            {
                block.ReadTrace(traceId, found);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                QuarantineAtRuntime(block);
            }
            catch (ObjectDisposedException)
            {
                // Retired while this read ran (compaction or retention); a newer list has its replacement.
            }
        }

        Volatile.Read(ref _beingFlushed)?.CollectTrace(traceId, found);
        Volatile.Read(ref _head).CollectTrace(traceId, found);
    }

    private void QuarantineAtRuntime(BlockReaderV1 block)
    {
        lock (_blocksLock)
        {
            if (Array.IndexOf(_blocks, block) < 0)
            {
                return;
            }

            Volatile.Write(ref _blocks, [.. _blocks.Where(b => b != block)]);
        }

        block.Dispose();
        Quarantine(_options, block.Directory);
        Interlocked.Increment(ref _quarantined);
    }

    /// <summary>Moves a damaged block aside, where it is kept for inspection and never read again.</summary>
    private static void Quarantine(SpanStoreOptions options, string directory)
    {
        var target = Path.Combine(options.DataDirectory, QuarantineDirectory);
        options.Device.CreateDirectory(target);
        options.Device.Move(directory, Path.Combine(target, Path.GetFileName(directory)));
    }

    public async ValueTask DisposeAsync()
    {
        await _log.DisposeAsync();
        foreach (var block in _blocks)
        {
            block.Dispose();
        }

        _flushing.Dispose();
        _compacting.Dispose();
    }
}
