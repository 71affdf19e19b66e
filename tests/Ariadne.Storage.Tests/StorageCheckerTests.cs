using Ariadne.Model;
using Ariadne.Storage.Blocks;

namespace Ariadne.Storage.Tests;

public class StorageCheckerTests
{
    [Fact]
    public async Task Check_CleanDirectory_ReportsNoDamage()
    {
        using var dir = new TempDirectory();
        await Populate(dir.Path);
        var report = StorageChecker.Check(dir.Path, repair: false);
        Assert.True(report.Clean, string.Join("; ", report.Problems));
        Assert.Equal(1, report.Tenants);
        Assert.Equal(1, report.BlocksChecked);
        Assert.Equal(1, report.RecordsChecked);
    }

    [Fact]
    public async Task Check_FlippedBytesAndTornTail_AreReportedThenRepaired()
    {
        using var dir = new TempDirectory();
        await Populate(dir.Path);
        var tenant = Path.Combine(dir.Path, "t");
        var block = Directory.GetDirectories(Path.Combine(tenant, SpanStore.BlocksDirectory)).Single();
        var data = Path.Combine(block, BlockFiles.Data);
        var bytes = await File.ReadAllBytesAsync(data);
        bytes[bytes.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(data, bytes);
        var segment = Directory.GetFiles(Path.Combine(tenant, SpanStore.WalDirectory), "*.wal").Single();
        await File.AppendAllTextAsync(segment, "torn");

        var report = StorageChecker.Check(dir.Path, repair: false);
        Assert.Equal(2, report.Problems.Count);
        Assert.True(Directory.Exists(block), "without --repair nothing is changed");

        var repaired = StorageChecker.Check(dir.Path, repair: true);
        Assert.Equal(2, repaired.Repairs.Count);
        Assert.False(Directory.Exists(block));
        Assert.True(StorageChecker.Check(dir.Path, repair: false).Clean);

        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = tenant });
        Assert.True(store.TryGetTrace(new TraceId(2, 2), out _));
    }

    private static async Task Populate(string root)
    {
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = Path.Combine(root, "t") });
        await store.AppendAsync(TestBatches.Create(new TraceId(1, 1), 50));
        await store.FlushAsync();
        await store.AppendAsync(TestBatches.Create(new TraceId(2, 2), 5));
    }
}
