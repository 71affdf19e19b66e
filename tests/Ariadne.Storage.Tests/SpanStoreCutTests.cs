using Ariadne.Model;

namespace Ariadne.Storage.Tests;

public class SpanStoreCutTests
{
    private static Task<SpanStore> OpenAsync(string dir) => SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir });

    [Fact]
    public async Task CutAsync_WritesIdleTracesAndCarriesLiveOnesOverDurably()
    {
        using var dir = new TempDirectory();
        var idle = new TraceId(1, 1);
        var live = new TraceId(2, 2);
        await using (var store = await OpenAsync(dir.Path))
        {
            await store.AppendAsync(TestBatches.Create(idle, 3));
            await Task.Delay(400);
            await store.AppendAsync(TestBatches.Create(live, 2));

            var meta = await store.CutAsync(TimeSpan.FromMilliseconds(300), maxLiveSpans: 1000);

            Assert.NotNull(meta);
            Assert.Equal(3, meta.SpanCount);
            Assert.Equal(2, store.Statistics.HeadSpans);
            Assert.True(store.TryGetTrace(live, out var liveTrace));
            Assert.Equal(2, liveTrace.SpanCount);

            // The live trace keeps growing in the head and is written whole once it goes idle.
            await store.AppendAsync(TestBatches.Create(live, 1, firstSpanId: 50));
            await Task.Delay(400);
            var second = await store.CutAsync(TimeSpan.FromMilliseconds(300), maxLiveSpans: 1000);
            Assert.NotNull(second);
            Assert.Equal(3, second.SpanCount);
            Assert.Equal(0, store.Statistics.HeadSpans);
        }

        await using var reopened = await OpenAsync(dir.Path);
        Assert.Equal(0, reopened.Statistics.HeadSpans);
        Assert.True(reopened.TryGetTrace(live, out var afterRestart));
        Assert.Equal(3, afterRestart.SpanCount);
        Assert.True(reopened.TryGetTrace(idle, out var idleTrace));
        Assert.Equal(3, idleTrace.SpanCount);
    }

    [Fact]
    public async Task CutAsync_LiveSpansCarriedOver_SurviveARestartWithoutTheOldSegments()
    {
        using var dir = new TempDirectory();
        var live = new TraceId(3, 3);
        await using (var store = await OpenAsync(dir.Path))
        {
            await store.AppendAsync(TestBatches.Create(live, 4));
            var meta = await store.CutAsync(TimeSpan.FromHours(1), maxLiveSpans: 1000);
            Assert.Null(meta);
            Assert.Equal(0, store.Statistics.Blocks);
        }

        var segments = Directory.GetFiles(Path.Combine(dir.Path, SpanStore.WalDirectory), "*.wal");
        Assert.Single(segments);

        await using var reopened = await OpenAsync(dir.Path);
        Assert.Equal(4, reopened.Statistics.HeadSpans);
        Assert.True(reopened.TryGetTrace(live, out var trace));
        Assert.Equal(4, trace.SpanCount);
    }

    [Fact]
    public async Task CutAsync_MoreLiveSpansThanAllowed_WritesEverything()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenAsync(dir.Path);
        await store.AppendAsync(TestBatches.Create(new TraceId(4, 4), 10));

        var meta = await store.CutAsync(TimeSpan.FromHours(1), maxLiveSpans: 5);

        Assert.NotNull(meta);
        Assert.Equal(10, meta.SpanCount);
        Assert.Equal(0, store.Statistics.HeadSpans);
    }
}
