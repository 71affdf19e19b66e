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

            var meta = Assert.Single(await store.CutAsync(TimeSpan.FromMilliseconds(300), maxLiveSpans: 1000));

            Assert.Equal(3, meta.SpanCount);
            Assert.Equal(2, store.Statistics.HeadSpans);
            Assert.True(store.TryGetTrace(live, out var liveTrace));
            Assert.Equal(2, liveTrace.SpanCount);

            // The live trace keeps growing in the head and is written whole once it goes idle.
            await store.AppendAsync(TestBatches.Create(live, 1, firstSpanId: 50));
            await Task.Delay(400);
            var second = Assert.Single(await store.CutAsync(TimeSpan.FromMilliseconds(300), maxLiveSpans: 1000));
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
            Assert.Empty(await store.CutAsync(TimeSpan.FromHours(1), maxLiveSpans: 1000));
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

        var meta = Assert.Single(await store.CutAsync(TimeSpan.FromHours(1), maxLiveSpans: 5));

        Assert.Equal(10, meta.SpanCount);
        Assert.Equal(0, store.Statistics.HeadSpans);
    }

    [Fact]
    public async Task CutAsync_HeadPastTheBlockLimit_WritesBlocksOfWholeTracesThatReadBack()
    {
        using var dir = new TempDirectory();
        var sizes = new[] { 30, 5, 45, 20, 80, 10, 25 };
        var traces = new TraceId[sizes.Length];
        await using (var store = await OpenAsync(dir.Path))
        {
            // Every trace arrives in two requests, the second after all first ones, so each block's
            // traces lie in batches shared with traces of other blocks.
            for (var half = 0; half < 2; half++)
            {
                for (var t = 0; t < sizes.Length; t++)
                {
                    traces[t] = new TraceId(10, (ulong)t + 1);
                    var count = half == 0 ? sizes[t] / 2 : sizes[t] - (sizes[t] / 2);
                    await store.AppendAsync(TestBatches.Create(traces[t], count, firstSpanId: (ulong)(half * 1000) + 1));
                }
            }

            var written = await store.CutAsync(TimeSpan.Zero, maxLiveSpans: 0, maxBlockSpans: 60);

            // Whole traces in arrival order, at most 60 spans a block unless one trace is larger: 30+5 | 45 | 20 | 80 | 10+25.
            Assert.Equal([35L, 45, 20, 80, 35], written.Select(m => m.SpanCount));
            Assert.Equal([2L, 1, 1, 1, 2], written.Select(m => m.TraceCount));
            Assert.Equal(written.Count, store.Statistics.Blocks);
            Assert.Equal(0, store.Statistics.HeadSpans);
        }

        await using var reopened = await OpenAsync(dir.Path);
        Assert.Equal(0, reopened.Statistics.HeadSpans);
        for (var t = 0; t < sizes.Length; t++)
        {
            Assert.True(reopened.TryGetTrace(traces[t], out var trace));
            Assert.Equal(sizes[t], trace.SpanCount);
        }
    }
}
