using Ariadne.Storage.Tests.IO;
using System.Text;
using Ariadne.Model;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Tests;

public class SpanStoreFaultTests
{
    [Theory]
    [InlineData("short write")]
    [InlineData("fsync")]
    [InlineData("disk full")]
    public async Task AppendAsync_DuringAFault_ThrowsUnavailableLosesNothingAndRecovers(string fault)
    {
        using var dir = new TempDirectory();
        var device = new FaultInjectingDevice(FileSystemDevice.Instance);
        var options = new SpanStoreOptions { DataDirectory = dir.Path, Device = device };
        await using (var store = await SpanStore.OpenAsync(options))
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(1, 1), 4));
            FaultSwitch.Set(device, fault, true);
            await Assert.ThrowsAsync<StorageUnavailableException>(async () => await store.AppendAsync(TestBatches.Create(new TraceId(2, 2), 3)));
            await Assert.ThrowsAsync<StorageUnavailableException>(async () => await store.AppendAsync(TestBatches.Create(new TraceId(2, 2), 3)));
            Assert.False(store.TryGetTrace(new TraceId(2, 2), out _));
            Assert.Equal(2, store.Statistics.FailedAppends);
            FaultSwitch.Set(device, fault, false);
            await store.AppendAsync(TestBatches.Create(new TraceId(3, 3), 5));
            Assert.True(store.TryGetTrace(new TraceId(3, 3), out _));
        }

        await using var reopened = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        Assert.True(reopened.TryGetTrace(new TraceId(1, 1), out var first));
        Assert.Equal(4, first.SpanCount);
        Assert.Equal("op 3", first.GetString(first.Spans[3].Name));
        Assert.True(reopened.TryGetTrace(new TraceId(3, 3), out var third));
        Assert.Equal(5, third.SpanCount);
        Assert.False(reopened.TryGetTrace(new TraceId(2, 2), out _));
        Assert.Equal(2, reopened.Statistics.RecordsReplayed);
        Assert.Equal(0, reopened.Statistics.TornRecordsTruncated);
        Assert.Equal(0, reopened.Statistics.CorruptLogRegions);
    }

    [Fact]
    public async Task OpenAsync_TornFinalRecord_KeepsEarlierBatchesAndCountsIt()
    {
        using var dir = new TempDirectory();
        await using (var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path }))
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(1, 1), 2));
            await store.AppendAsync(TestBatches.Create(new TraceId(2, 2), 2));
        }

        var segment = Directory.GetFiles(Path.Combine(dir.Path, SpanStore.WalDirectory), "*.wal").Single();
        await using (var stream = new FileStream(segment, FileMode.Open))
        {
            stream.SetLength(stream.Length - 7);
        }

        await using var reopened = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        Assert.True(reopened.TryGetTrace(new TraceId(1, 1), out _));
        Assert.False(reopened.TryGetTrace(new TraceId(2, 2), out _));
        Assert.Equal(1, reopened.Statistics.TornRecordsTruncated);
        Assert.Equal(1, reopened.Statistics.RecordsReplayed);
        Assert.Equal(2, reopened.Statistics.SpansStored);
    }

    [Fact]
    public async Task OpenAsync_RecordThatPassesItsChecksumButDoesNotDecode_IsCountedAndSkipped()
    {
        using var dir = new TempDirectory();
        var wal = Path.Combine(dir.Path, SpanStore.WalDirectory);
        await using (var log = IngestLog.Open(new IngestLogOptions { Directory = wal }, (_, _, _) => { }, out _))
        {
            var garbage = Encoding.ASCII.GetBytes("checksummed, but not a span batch");
            await log.AppendAsync(LogRecordHeader.SpanBatchKind, garbage.Length, (span, _) => garbage.CopyTo(span), CancellationToken.None);
        }

        await using (var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path }))
        {
            Assert.Equal(1, store.Statistics.RecordsRejected);
            await store.AppendAsync(TestBatches.Create(new TraceId(1, 1), 2));
        }

        await using var reopened = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        Assert.True(reopened.TryGetTrace(new TraceId(1, 1), out _));
        Assert.Equal(1, reopened.Statistics.RecordsRejected);
        Assert.Equal(2, reopened.Statistics.RecordsReplayed);
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_ThrowsUnavailable()
    {
        using var dir = new TempDirectory();
        var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        await store.DisposeAsync();
        await Assert.ThrowsAsync<StorageUnavailableException>(async () => await store.AppendAsync(TestBatches.Create(new TraceId(1, 1), 1)));
    }

    [Fact]
    public async Task AppendAsync_ManyConcurrentWriters_ShareFsyncsAndEverySpanReplays()
    {
        using var dir = new TempDirectory();
        const int Writers = 32;
        const int BatchesPerWriter = 200;
        var options = new SpanStoreOptions { DataDirectory = dir.Path, SegmentSizeBytes = 256 << 10 };
        await using (var store = await SpanStore.OpenAsync(options))
        {
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var b = 0; b < BatchesPerWriter; b++)
                {
                    await store.AppendAsync(TestBatches.Create(new TraceId((ulong)w, (ulong)b), 1));
                }
            })));
            var stats = store.Statistics;
            Assert.Equal(Writers * BatchesPerWriter, stats.SpansStored);
            Assert.True(stats.FsyncCount < Writers * BatchesPerWriter / 4, $"{stats.FsyncCount} fsyncs for {Writers * BatchesPerWriter} appends");
        }

        Assert.True(Directory.GetFiles(Path.Combine(dir.Path, SpanStore.WalDirectory), "*.wal").Length > 1);
        await using var reopened = await SpanStore.OpenAsync(options);
        Assert.Equal(Writers * BatchesPerWriter, reopened.Statistics.RecordsReplayed);
        Assert.Equal(Writers * BatchesPerWriter, reopened.Statistics.TracesStored);
        Assert.True(reopened.TryGetTrace(new TraceId(Writers - 1, BatchesPerWriter - 1), out _));
    }
}
