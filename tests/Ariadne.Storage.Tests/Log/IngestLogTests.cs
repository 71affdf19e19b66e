using Ariadne.Storage.Tests.IO;
using System.Text;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Tests.Log;

public class IngestLogTests
{
    private static IngestLog Open(string directory, List<string> replayed, out LogReplayResult result, IStorageDevice? device = null, long segmentSize = 64 << 20) =>
        IngestLog.Open(
            new IngestLogOptions { Directory = directory, Device = device ?? FileSystemDevice.Instance, SegmentSizeBytes = segmentSize },
            (_, _, payload) => replayed.Add(Encoding.UTF8.GetString(payload.Span)),
            out result);

    private static ValueTask<long> AppendAsync(IngestLog log, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return log.AppendAsync(LogRecordHeader.SpanBatchKind, bytes.Length, (span, _) => bytes.CopyTo(span), CancellationToken.None);
    }

    [Fact]
    public async Task Append_ThenReopen_ReplaysEveryRecordInOrder()
    {
        using var dir = new TempDirectory();
        var replayed = new List<string>();
        await using (var log = Open(dir.Path, replayed, out _))
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(i, await AppendAsync(log, $"record {i}"));
            }
        }

        await using var reopened = Open(dir.Path, replayed, out var result);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"record {i}"), replayed);
        Assert.Equal(50, result.RecordsReplayed);
        Assert.Equal(0, result.TornRecordsTruncated);
        Assert.Equal(50, await AppendAsync(reopened, "after reopen"));
    }

    [Fact]
    public async Task Open_LastRecordTornAtEveryByte_KeepsTheCompleteRecordsAndCountsTheTornOne()
    {
        using var dir = new TempDirectory();
        await using (var log = Open(dir.Path, [], out _))
        {
            await AppendAsync(log, "first");
            await AppendAsync(log, "second");
            await AppendAsync(log, "third, which will be torn");
        }

        var segment = Directory.GetFiles(dir.Path, "*.wal").Single();
        var full = await File.ReadAllBytesAsync(segment);
        var lastRecordStart = full.Length - LogRecordHeader.Size - "third, which will be torn".Length;
        for (var cut = lastRecordStart + 1; cut < full.Length; cut++)
        {
            await File.WriteAllBytesAsync(segment, full[..cut]);
            var replayed = new List<string>();
            await using (var log = Open(dir.Path, replayed, out var result))
            {
                Assert.Equal(["first", "second"], replayed);
                Assert.Equal(1, result.TornRecordsTruncated);
            }

            Assert.Equal(lastRecordStart, new FileInfo(segment).Length);
        }
    }

    [Fact]
    public async Task Open_GarbageAfterTheLastRecord_IsTruncatedAndAppendsContinue()
    {
        using var dir = new TempDirectory();
        await using (var log = Open(dir.Path, [], out _))
        {
            await AppendAsync(log, "kept");
        }

        var segment = Directory.GetFiles(dir.Path, "*.wal").Single();
        await File.AppendAllTextAsync(segment, "garbage that is not a record at all");
        await using (var log = Open(dir.Path, [], out var result))
        {
            Assert.Equal(1, result.TornRecordsTruncated);
            await AppendAsync(log, "appended after repair");
        }

        var replayed = new List<string>();
        await using var again = Open(dir.Path, replayed, out var second);
        Assert.Equal(["kept", "appended after repair"], replayed);
        Assert.Equal(0, second.TornRecordsTruncated);
    }

    [Fact]
    public async Task Append_ManyConcurrentWriters_ShareFsyncsAndAllReplay()
    {
        using var dir = new TempDirectory();
        const int Writers = 32;
        const int PerWriter = 100;
        long fsyncs;
        await using (var log = Open(dir.Path, [], out _))
        {
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < PerWriter; i++)
                {
                    await AppendAsync(log, $"{w}:{i}");
                }
            })));
            fsyncs = log.FsyncCount;
        }

        Assert.True(fsyncs < Writers * PerWriter / 2, $"{fsyncs} fsyncs for {Writers * PerWriter} appends: group commit did not group");
        var replayed = new List<string>();
        await using var reopened = Open(dir.Path, replayed, out _);
        Assert.Equal(Writers * PerWriter, replayed.Count);
        for (var w = 0; w < Writers; w++)
        {
            var mine = replayed.Where(r => r.StartsWith($"{w}:", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => $"{w}:{i}"), mine);
        }
    }

    [Fact]
    public async Task Append_PastTheSegmentSize_RollsToANewSegment()
    {
        using var dir = new TempDirectory();
        await using (var log = Open(dir.Path, [], out _, segmentSize: 1024))
        {
            for (var i = 0; i < 40; i++)
            {
                await AppendAsync(log, new string('x', 100) + i);
            }
        }

        Assert.True(Directory.GetFiles(dir.Path, "*.wal").Length > 3);
        var replayed = new List<string>();
        await using var reopened = Open(dir.Path, replayed, out _);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => new string('x', 100) + i), replayed);
    }

    [Theory]
    [InlineData("short write")]
    [InlineData("fsync")]
    [InlineData("disk full")]
    public async Task Append_DuringAFault_FailsUnavailableAndLosesNothingAcknowledged(string fault)
    {
        using var dir = new TempDirectory();
        var device = new FaultInjectingDevice(FileSystemDevice.Instance);
        await using (var log = Open(dir.Path, [], out _, device))
        {
            await AppendAsync(log, "before");
            FaultSwitch.Set(device, fault, true);
            await Assert.ThrowsAsync<StorageUnavailableException>(async () => await AppendAsync(log, "during"));
            await Assert.ThrowsAsync<StorageUnavailableException>(async () => await AppendAsync(log, "during again"));
            FaultSwitch.Set(device, fault, false);
            await AppendAsync(log, "after");
        }

        Assert.True(device.FaultsInjected > 0);
        var replayed = new List<string>();
        await using var reopened = Open(dir.Path, replayed, out _);
        Assert.Contains("before", replayed);
        Assert.Contains("after", replayed);
        Assert.Equal("before", replayed[0]);
        Assert.Equal("after", replayed[^1]);

        // A record refused during a short write was cut off; after a failed fsync its bytes may have
        // reached the disk (the client was told to retry), but never a torn record before "after".
        Assert.DoesNotContain(replayed, r => r.StartsWith("during", StringComparison.Ordinal) && fault != "fsync");
    }
}
