using Ariadne.Model;
using Ariadne.Storage.Blocks;

namespace Ariadne.Storage.Tests;

public class SpanStoreFlushTests
{
    private static Task<SpanStore> OpenAsync(string dir) => SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir });

    [Fact]
    public async Task FlushAsync_MovesTheHeadIntoABlockAndTruncatesTheLog()
    {
        using var dir = new TempDirectory();
        await using (var store = await OpenAsync(dir.Path))
        {
            for (var t = 1; t <= 20; t++)
            {
                await store.AppendAsync(TestBatches.Create(new TraceId(1, (ulong)t), 4));
            }

            var meta = await store.FlushAsync();
            Assert.NotNull(meta);
            Assert.Equal(80, meta.SpanCount);
            Assert.Equal(0, store.Statistics.HeadSpans);
            Assert.Equal(1, store.Statistics.Blocks);
            Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, SpanStore.WalDirectory), "*.wal"));
            Assert.True(store.TryGetTrace(new TraceId(1, 7), out var trace));
            Assert.Equal(4, trace.SpanCount);

            await store.AppendAsync(TestBatches.Create(new TraceId(1, 7), 2, firstSpanId: 100));
            Assert.True(store.TryGetTrace(new TraceId(1, 7), out var merged));
            Assert.Equal(6, merged.SpanCount);
        }

        await using var reopened = await OpenAsync(dir.Path);
        Assert.Equal(1, reopened.Statistics.RecordsReplayed);
        Assert.True(reopened.TryGetTrace(new TraceId(1, 7), out var afterRestart));
        Assert.Equal(6, afterRestart.SpanCount);
        Assert.True(reopened.TryGetTrace(new TraceId(1, 20), out _));
    }

    [Fact]
    public async Task TryGetTrace_SameSpanInABlockAndTheHead_AppearsOnce()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenAsync(dir.Path);
        await store.AppendAsync(TestBatches.Create(new TraceId(2, 2), 3));
        await store.FlushAsync();
        await store.AppendAsync(TestBatches.Create(new TraceId(2, 2), 3));
        await store.FlushAsync();
        await store.AppendAsync(TestBatches.Create(new TraceId(2, 2), 3));
        Assert.True(store.TryGetTrace(new TraceId(2, 2), out var trace));
        Assert.Equal(3, trace.SpanCount);
    }

    [Fact]
    public async Task OpenAsync_BlockFolderWithoutMeta_IsRemovedAndNeverRead()
    {
        using var dir = new TempDirectory();
        await using (var store = await OpenAsync(dir.Path))
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(3, 3), 3));
            await store.FlushAsync();
        }

        var block = Directory.GetDirectories(Path.Combine(dir.Path, SpanStore.BlocksDirectory)).Single();
        var unfinished = Path.Combine(dir.Path, SpanStore.BlocksDirectory, "0000unfinished");
        Directory.CreateDirectory(unfinished);
        File.Copy(Path.Combine(block, BlockFiles.Data), Path.Combine(unfinished, BlockFiles.Data));

        await using var reopened = await OpenAsync(dir.Path);
        Assert.Equal(1, reopened.Statistics.IncompleteBlocksRemoved);
        Assert.False(Directory.Exists(unfinished));
        Assert.True(reopened.TryGetTrace(new TraceId(3, 3), out _));
    }

    [Fact]
    public async Task TryGetTrace_FlippedByteInABlock_QuarantinesItAndServesTheRest()
    {
        using var dir = new TempDirectory();
        await using (var store = await OpenAsync(dir.Path))
        {
            await store.AppendAsync(TestBatches.Create(new TraceId(4, 1), 3));
            await store.FlushAsync();
            await store.AppendAsync(TestBatches.Create(new TraceId(4, 2), 3));
            await store.FlushAsync();
        }

        var blocks = Directory.GetDirectories(Path.Combine(dir.Path, SpanStore.BlocksDirectory)).Order(StringComparer.Ordinal).ToArray();
        var data = Path.Combine(blocks[0], BlockFiles.Data);
        var bytes = await File.ReadAllBytesAsync(data);
        bytes[^5] ^= 0x01;
        await File.WriteAllBytesAsync(data, bytes);

        await using var reopened = await OpenAsync(dir.Path);
        Assert.False(reopened.TryGetTrace(new TraceId(4, 1), out _));
        Assert.Equal(1, reopened.Statistics.BlocksQuarantined);
        Assert.True(reopened.TryGetTrace(new TraceId(4, 2), out var intact));
        Assert.Equal(3, intact.SpanCount);
        Assert.True(Directory.Exists(Path.Combine(dir.Path, SpanStore.QuarantineDirectory, Path.GetFileName(blocks[0]))));

        await using var third = await OpenAsync(dir.Path);
        Assert.Equal(1, third.Statistics.Blocks);
    }

    [Fact]
    public async Task FlushAsync_WhileAppendsContinue_LosesNothing()
    {
        using var dir = new TempDirectory();
        await using (var store = await OpenAsync(dir.Path))
        {
            var appends = Task.Run(async () =>
            {
                for (var t = 1; t <= 300; t++)
                {
                    await store.AppendAsync(TestBatches.Create(new TraceId(6, (ulong)t), 2));
                }
            });
            while (!appends.IsCompleted)
            {
                await store.FlushAsync();
            }

            await appends;
            await store.FlushAsync();
        }

        await using var reopened = await OpenAsync(dir.Path);
        for (var t = 1; t <= 300; t++)
        {
            Assert.True(reopened.TryGetTrace(new TraceId(6, (ulong)t), out var trace), $"trace {t} lost");
            Assert.Equal(2, trace.SpanCount);
        }
    }
}
