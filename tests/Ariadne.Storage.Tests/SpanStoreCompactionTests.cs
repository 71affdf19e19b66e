using Ariadne.Model;
using Ariadne.Storage.IO;

namespace Ariadne.Storage.Tests;

public class SpanStoreCompactionTests
{
    [Fact]
    public async Task CompactAsync_SmallBlocks_MergeIntoOneWithSplitTracesJoinedAndDuplicatesDropped()
    {
        using var dir = new TempDirectory();
        await using (var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path }))
        {
            for (var round = 0; round < 4; round++)
            {
                // Trace 9/9 gets two new spans per block and one repeated span.
                await store.AppendAsync(TestBatches.Create(new TraceId(9, 9), 2, firstSpanId: (ulong)(10 + (round * 2))));
                await store.AppendAsync(TestBatches.Create(new TraceId(9, 9), 1, firstSpanId: 1));
                await store.AppendAsync(TestBatches.Create(new TraceId(8, (ulong)round + 1), 3));
                await store.FlushAsync();
            }

            Assert.Equal(4, store.Statistics.Blocks);
            var merged = await store.CompactAsync(maxBlockBytes: 64L << 20);
            Assert.NotNull(merged);
            Assert.Equal(1, store.Statistics.Blocks);
            Assert.Equal(9 + 12, merged.SpanCount);
            Assert.Single(Directory.GetDirectories(Path.Combine(dir.Path, SpanStore.BlocksDirectory)));
            Assert.True(store.TryGetTrace(new TraceId(9, 9), out var joined));
            Assert.Equal(9, joined.SpanCount);
            Assert.Null(await store.CompactAsync(maxBlockBytes: 64L << 20));
        }

        await using var reopened = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        Assert.True(reopened.TryGetTrace(new TraceId(8, 3), out var other));
        Assert.Equal(3, other.SpanCount);
    }

    [Fact]
    public async Task CompactAllAsync_MoreSmallBlocksThanOneMergeTakes_MergesUntilNoneAreLeft()
    {
        using var dir = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        const int Blocks = SpanStore.MaxCompactionInputs + 8;
        for (var block = 0; block < Blocks; block++)
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(7, (ulong)block + 1), 2));
            await store.FlushAsync();
        }

        var merged = await store.CompactAllAsync(maxBlockBytes: 64L << 20);

        // The first round takes the oldest blocks it may, the second the remaining 8 with the first's output.
        Assert.Equal([SpanStore.MaxCompactionInputs * 2L, (Blocks * 2L)], merged.Select(m => m.SpanCount));
        Assert.Equal(1, store.Statistics.Blocks);
        Assert.Empty(await store.CompactAllAsync(maxBlockBytes: 64L << 20));
        for (var block = 0; block < Blocks; block++)
        {
            Assert.True(store.TryGetTrace(new TraceId(7, (ulong)block + 1), out var trace));
            Assert.Equal(2, trace.SpanCount);
        }
    }

    [Fact]
    public async Task CompactAsync_BlocksOfVariedSizes_MergesTheSmallOnesWithoutRewritingTheLargeOne()
    {
        using var dir = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });

        // The oldest block is large, as one grown by earlier merges is; four small cut blocks follow.
        for (var t = 0; t < 2000; t++)
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(5, (ulong)t + 1), 4));
        }

        var large = (await store.FlushAsync())!;
        for (var block = 0; block < 4; block++)
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(6, (ulong)block + 1), 2));
            await store.FlushAsync();
        }

        var merged = await store.CompactAsync(maxBlockBytes: 64L << 20, minInputs: 2);

        Assert.NotNull(merged);
        Assert.Equal(8, merged.SpanCount);
        Assert.Equal(2, store.Statistics.Blocks);
        Assert.True(Directory.Exists(Path.Combine(dir.Path, SpanStore.BlocksDirectory, large.BlockId.ToString("N"))));

        // What is left is one block of each size: no tier has two, so nothing more is merged.
        Assert.Null(await store.CompactAsync(maxBlockBytes: 64L << 20, minInputs: 2));
        Assert.True(store.TryGetTrace(new TraceId(6, 3), out var small));
        Assert.Equal(2, small.SpanCount);
        Assert.True(store.TryGetTrace(new TraceId(5, 2000), out var old));
        Assert.Equal(4, old.SpanCount);
    }

    [Fact]
    public async Task CompactAsync_ManyPagesOfInterleavedTraces_StreamsIntoOneSortedBlockWithEverySpanOnce()
    {
        using var dir = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        var random = new Random(7);
        var expected = new Dictionary<TraceId, int>();
        for (var block = 0; block < 3; block++)
        {
            // Several pages per block; the same trace ids recur in every block, with new spans each time
            // and one span repeated from the first block.
            var batch = new SpanBatch();
            var copier = new SpanCopier(batch);
            for (var t = 0; t < 2500; t++)
            {
                var id = new TraceId((ulong)random.Next(1, 1500), 3);
                var spans = random.Next(1, 5);
                var part = TestBatches.Create(id, spans, firstSpanId: (ulong)((block * 100_000) + (t * 4) + 1));
                for (var i = 0; i < spans; i++)
                {
                    copier.CopySpan(part, i);
                }

                expected[id] = expected.GetValueOrDefault(id) + spans;
            }

            await store.AppendAsync(batch);
            await store.FlushAsync();
        }

        // A sample of traces is read back before and after; the counts in meta.json cover all of them.
        var before = new Dictionary<TraceId, int>();
        foreach (var id in expected.Keys.Where((_, i) => i % 10 == 0))
        {
            Assert.True(store.TryGetTrace(id, out var trace));
            before[id] = trace.SpanCount;
        }

        var merged = await store.CompactAsync(maxBlockBytes: 64L << 20);

        Assert.NotNull(merged);
        Assert.True(merged.PageCount >= 4, $"{merged.PageCount} pages");
        Assert.Equal(expected.Count, merged.TraceCount);
        Assert.Equal(expected.Values.Sum(), merged.SpanCount);
        foreach (var (id, count) in before)
        {
            Assert.True(store.TryGetTrace(id, out var trace));
            Assert.Equal(count, trace.SpanCount);
        }
    }

    [Fact]
    public async Task CompactAsync_DamagedInput_IsQuarantinedAndLeavesNoPartialBlock()
    {
        using var dir = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        var blocks = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(6, (ulong)i + 1), 50));
            var meta = await store.FlushAsync();
            blocks.Add(Path.Combine(dir.Path, SpanStore.BlocksDirectory, meta!.BlockId.ToString("N")));
        }

        var data = Path.Combine(blocks[1], "data");
        var bytes = await File.ReadAllBytesAsync(data);
        bytes[^10] ^= 0xFF;
        await File.WriteAllBytesAsync(data, bytes);

        Assert.Null(await store.CompactAsync(maxBlockBytes: 64L << 20));
        Assert.Equal(2, store.Statistics.Blocks);
        Assert.Equal(1, store.Statistics.BlocksQuarantined);
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(dir.Path, SpanStore.BlocksDirectory)).Length);

        var merged = await store.CompactAsync(maxBlockBytes: 64L << 20);
        Assert.NotNull(merged);
        Assert.Equal(100, merged.SpanCount);
    }

    [Fact]
    public async Task CompactAsync_BlocksOverHalfTheLimit_AreLeftAlone()
    {
        using var dir = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        for (var i = 0; i < 3; i++)
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(7, (ulong)i + 1), 200));
            await store.FlushAsync();
        }

        Assert.Null(await store.CompactAsync(maxBlockBytes: 1024));
        Assert.Equal(3, store.Statistics.Blocks);
    }

    [Fact]
    public async Task ApplyRetentionAsync_RemovesExpiredThenOldestOverTheSizeCap()
    {
        using var dir = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });

        // TestBatches' spans start at 1,000 ns after the epoch: expired for any sensible age.
        await store.AppendAsync(TestBatches.Create(new TraceId(1, 1), 5));
        await store.FlushAsync();
        Assert.Equal(1, await store.ApplyRetentionAsync(TimeSpan.FromDays(14), 0, DateTimeOffset.UtcNow));
        Assert.Equal(0, store.Statistics.Blocks);
        Assert.False(store.TryGetTrace(new TraceId(1, 1), out _));

        for (var i = 0; i < 3; i++)
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(2, (ulong)i + 1), 20));
            await store.FlushAsync();
        }

        var blockBytes = store.Statistics.BlockBytes;
        var removed = await store.ApplyRetentionAsync(TimeSpan.FromDays(365 * 100), (blockBytes * 2 / 3) + 1, DateTimeOffset.UtcNow);
        Assert.Equal(1, removed);
        Assert.Equal(2, store.Statistics.Blocks);
        Assert.False(store.TryGetTrace(new TraceId(2, 1), out _));
        Assert.True(store.TryGetTrace(new TraceId(2, 3), out _));
    }

    [Fact]
    public async Task FlushAsync_DiskFullWhileWritingTheBlock_KeepsTheSpansAndSucceedsLater()
    {
        using var dir = new TempDirectory();
        var device = new FaultInjectingDevice(FileSystemDevice.Instance);
        await using (var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path, Device = device }))
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(3, 3), 10));
            device.DiskFull = true;
            await Assert.ThrowsAsync<StorageUnavailableException>(() => store.FlushAsync());
            Assert.True(store.TryGetTrace(new TraceId(3, 3), out var during));
            Assert.Equal(10, during.SpanCount);
            device.DiskFull = false;
            Assert.NotNull(await store.FlushAsync());
            Assert.True(store.TryGetTrace(new TraceId(3, 3), out var after));
            Assert.Equal(10, after.SpanCount);
        }

        await using var reopened = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        Assert.True(reopened.TryGetTrace(new TraceId(3, 3), out var restarted));
        Assert.Equal(10, restarted.SpanCount);
    }
}

/// <summary>Compaction and cuts do not wait for each other: a long merge must not let the head grow unbounded.</summary>
public class SpanStoreCompactionConcurrencyTests
{
    [Fact]
    public async Task CutAsync_WhileACompactionIsStuckWritingItsBlock_CompletesAndBothResultsAreKept()
    {
        using var dir = new TempDirectory();
        var device = new GatedDevice(FileSystemDevice.Instance);
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path, Device = device });
        for (var round = 0; round < 2; round++)
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(5, (ulong)round + 1), 3));
            await store.FlushAsync();
        }

        await store.AppendAsync(TestBatches.Create(new TraceId(5, 3), 4));
        device.Arm();
        var compaction = Task.Run(() => store.CompactAsync(maxBlockBytes: 64L << 20));
        Assert.True(device.Entered.Wait(TimeSpan.FromSeconds(30)), "the compaction never started writing its block");

        // The merge is held inside its block write; a cut must still go through.
        var cut = store.FlushAsync();
        Assert.True(await Task.WhenAny(cut, Task.Delay(TimeSpan.FromSeconds(30))) == cut, "the cut waited for the compaction");
        Assert.Equal(4, (await cut)!.SpanCount);
        Assert.Equal(3, store.Statistics.Blocks);

        device.Release();
        var merged = await compaction;
        Assert.NotNull(merged);
        Assert.Equal(6, merged.SpanCount);
        Assert.Equal(2, store.Statistics.Blocks);
        for (var trace = 1UL; trace <= 3; trace++)
        {
            Assert.True(store.TryGetTrace(new TraceId(5, trace), out var found));
            Assert.Equal(trace == 3 ? 4 : 3, found.SpanCount);
        }
    }

    [Fact]
    public async Task CompactAsync_WhileTheHeadIsPastItsLimit_PausesUntilACutEmptiesIt()
    {
        using var dir = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });

        // Two blocks with more traces than the merge handles between two looks at the head.
        const int TracesPerBlock = 400;
        for (var block = 0; block < 2; block++)
        {
            for (var t = 0; t < TracesPerBlock; t++)
            {
                await store.AppendAsync(TestBatches.Create(new TraceId((ulong)block + 1, (ulong)t + 1), 1));
            }

            await store.FlushAsync();
        }

        // A head of 5 spans against a limit of 3: the cuts are behind.
        await store.AppendAsync(TestBatches.Create(new TraceId(77, 77), 5));
        var compaction = Task.Run(() => store.CompactAsync(maxBlockBytes: 64L << 20, pauseAboveHeadSpans: 3));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(compaction.IsCompleted, "the merge went on while the head was past its limit");
        Assert.Equal(2, store.Statistics.Blocks);

        Assert.Equal(5, (await store.FlushAsync())!.SpanCount);
        var finished = await Task.WhenAny(compaction, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == compaction, "the merge did not resume once the head was cut");
        var merged = await compaction;
        Assert.NotNull(merged);
        Assert.Equal(2 * TracesPerBlock, merged.SpanCount);
        Assert.Equal(2, store.Statistics.Blocks);
        Assert.True(store.TryGetTrace(new TraceId(2, TracesPerBlock), out var last));
        Assert.Equal(1, last.SpanCount);
    }

    [Fact]
    public async Task CompactAsync_PausedAndCancelled_StopsAndLeavesTheInputs()
    {
        using var dir = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        for (var block = 0; block < 2; block++)
        {
            for (var t = 0; t < 300; t++)
            {
                await store.AppendAsync(TestBatches.Create(new TraceId((ulong)block + 1, (ulong)t + 1), 1));
            }

            await store.FlushAsync();
        }

        await store.AppendAsync(TestBatches.Create(new TraceId(77, 77), 2));
        using var cancel = new CancellationTokenSource();
        var compaction = Task.Run(() => store.CompactAsync(maxBlockBytes: 64L << 20, cancellationToken: cancel.Token, pauseAboveHeadSpans: 1));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => compaction);
        Assert.Equal(2, store.Statistics.Blocks);

        // The abandoned merge left no folder of its own beside its two inputs.
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(dir.Path, SpanStore.BlocksDirectory)).Length);
    }

    /// <summary>Once armed, holds the next block folder creation until released.</summary>
    private sealed class GatedDevice(IStorageDevice inner) : IStorageDevice
    {
        private readonly ManualResetEventSlim _release = new(false);
        private int _armed;

        public ManualResetEventSlim Entered { get; } = new(false);

        public void Arm() => Volatile.Write(ref _armed, 1);

        public void Release() => _release.Set();

        public void CreateDirectory(string path)
        {
            if (path.Contains(SpanStore.BlocksDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal) && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                Entered.Set();
                _release.Wait(TimeSpan.FromMinutes(2));
            }

            inner.CreateDirectory(path);
        }

        public IStorageFile OpenOrCreate(string path) => inner.OpenOrCreate(path);

        public bool FileExists(string path) => inner.FileExists(path);

        public void DeleteFile(string path) => inner.DeleteFile(path);

        public IReadOnlyList<string> ListFiles(string directory, string pattern) => inner.ListFiles(directory, pattern);

        public IReadOnlyList<string> ListDirectories(string directory) => inner.ListDirectories(directory);

        public void DeleteDirectory(string path) => inner.DeleteDirectory(path);

        public void Move(string from, string to) => inner.Move(from, to);

        public byte[] ReadAllBytes(string path) => inner.ReadAllBytes(path);

        public void SyncDirectory(string path) => inner.SyncDirectory(path);
    }
}
