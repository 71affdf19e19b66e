using Ariadne.Model;
using Ariadne.Storage.IO;

namespace Ariadne.Storage.Tests;

public class SpanStoreTests
{
    [Fact]
    public async Task TryGetTrace_SpansOfOneTraceInSeveralBatches_FormOneTrace()
    {
        using var dir = new TempDirectory();
        var traceId = new TraceId(7, 7);
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        await store.AppendAsync(TestBatches.Create(traceId, 3, firstSpanId: 1, service: "a"));
        await store.AppendAsync(TestBatches.Create(traceId, 2, firstSpanId: 10, service: "b"));
        await store.AppendAsync(TestBatches.Create(new TraceId(8, 8), 4));

        Assert.True(store.TryGetTrace(traceId, out var trace));
        Assert.Equal(5, trace.SpanCount);
        Assert.Equal(2, trace.Resources.Count);
        Assert.False(store.TryGetTrace(new TraceId(1, 1), out _));
        Assert.Equal(9, store.Statistics.SpansStored);
        Assert.Equal(2, store.Statistics.TracesStored);
    }

    [Fact]
    public async Task AppendAsync_SameSpanTwiceAndAcrossReopen_IsKeptOnce()
    {
        using var dir = new TempDirectory();
        var traceId = new TraceId(7, 7);
        await using (var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path }))
        {
            await store.AppendAsync(TestBatches.Create(traceId, 3));
            await store.AppendAsync(TestBatches.Create(traceId, 3));
            Assert.True(store.TryGetTrace(traceId, out var trace));
            Assert.Equal(3, trace.SpanCount);
        }

        await using var reopened = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        await reopened.AppendAsync(TestBatches.Create(traceId, 4));
        Assert.True(reopened.TryGetTrace(traceId, out var again));
        Assert.Equal(4, again.SpanCount);
        Assert.Equal(2, reopened.Statistics.RecordsReplayed);
        var ids = again.Spans.Rows.ToArray().Select(s => s.SpanId.Value).Order().ToArray();
        Assert.Equal([1UL, 2, 3, 4], ids);
    }

    [Fact]
    public async Task AppendAsync_FsyncFails_ThrowsUnavailableAndTheSpansAreNotVisible()
    {
        using var dir = new TempDirectory();
        var device = new FaultInjectingDevice(FileSystemDevice.Instance);
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path, Device = device });
        await store.AppendAsync(TestBatches.Create(new TraceId(1, 1), 2));
        device.FailFsync = true;
        await Assert.ThrowsAsync<StorageUnavailableException>(async () => await store.AppendAsync(TestBatches.Create(new TraceId(2, 2), 2)));
        Assert.False(store.TryGetTrace(new TraceId(2, 2), out _));
        Assert.Equal(1, store.Statistics.FailedAppends);
        device.FailFsync = false;
        await store.AppendAsync(TestBatches.Create(new TraceId(3, 3), 2));
        Assert.True(store.TryGetTrace(new TraceId(1, 1), out _));
        Assert.True(store.TryGetTrace(new TraceId(3, 3), out _));
    }
}
