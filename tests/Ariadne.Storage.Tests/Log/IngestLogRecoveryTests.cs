using Ariadne.Storage.Tests.IO;
using System.Text;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Tests.Log;

public class IngestLogRecoveryTests
{
    private static IngestLog Open(string directory, List<string> replayed, out LogReplayResult result, IStorageDevice? device = null, long segmentSize = 64 << 20, TimeSpan delay = default, int maxRecordBytes = 1 << 20) =>
        IngestLog.Open(
            new IngestLogOptions
            {
                Directory = directory,
                Device = device ?? FileSystemDevice.Instance,
                SegmentSizeBytes = segmentSize,
                MaxGroupCommitDelay = delay,
                MaxRecordBytes = maxRecordBytes,
            },
            (_, _, payload) => replayed.Add(Encoding.UTF8.GetString(payload.Span)),
            out result);

    private static ValueTask<long> AppendAsync(IngestLog log, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return log.AppendAsync(LogRecordHeader.SpanBatchKind, bytes.Length, (span, _) => bytes.CopyTo(span), CancellationToken.None);
    }

    private static async Task<string> WriteRecords(string directory, int count, long segmentSize = 64 << 20)
    {
        await using var log = Open(directory, [], out _, segmentSize: segmentSize);
        for (var i = 0; i < count; i++)
        {
            await AppendAsync(log, $"record {i}");
        }

        return Directory.GetFiles(directory, "*.wal").Order(StringComparer.Ordinal).First();
    }

    [Fact]
    public async Task Open_DamageFollowedByValidRecords_SkipsOnlyTheDamagedRecordAndKeepsTheFile()
    {
        using var dir = new TempDirectory();
        var segment = await WriteRecords(dir.Path, 5);
        var bytes = await File.ReadAllBytesAsync(segment);
        var recordLength = LogRecordHeader.Size + "record 0".Length;
        bytes[(2 * recordLength) + LogRecordHeader.Size + 1] ^= 0x01;
        await File.WriteAllBytesAsync(segment, bytes);

        var replayed = new List<string>();
        await using (var log = Open(dir.Path, replayed, out var result))
        {
            Assert.Equal(["record 0", "record 1", "record 3", "record 4"], replayed);
            Assert.Equal(1, result.CorruptRegions);
            Assert.Equal(recordLength, result.CorruptBytesSkipped);
            Assert.Equal(0, result.TornRecordsTruncated);
            Assert.Equal(5, result.NextSequence);
        }

        Assert.Equal(bytes.Length, new FileInfo(segment).Length);
    }

    [Fact]
    public async Task Open_DamagedHeaderInAnOlderSegment_ReplaysEverythingAroundIt()
    {
        using var dir = new TempDirectory();
        await WriteRecords(dir.Path, 30, segmentSize: 200);
        var segments = Directory.GetFiles(dir.Path, "*.wal").Order(StringComparer.Ordinal).ToArray();
        Assert.True(segments.Length > 3);
        var bytes = await File.ReadAllBytesAsync(segments[1]);
        bytes[LogRecordHeader.Size / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(segments[1], bytes);

        var replayed = new List<string>();
        await using var log = Open(dir.Path, replayed, out var result);
        Assert.Equal(1, result.CorruptRegions);
        Assert.Equal(29, replayed.Count);
        Assert.Equal("record 29", replayed[^1]);
        Assert.Equal(30, await AppendAsync(log, "next"));
    }

    [Fact]
    public async Task Open_RandomGarbageInPlaceOfRecords_NeverThrows()
    {
        using var dir = new TempDirectory();
        var segment = await WriteRecords(dir.Path, 20);
        var bytes = await File.ReadAllBytesAsync(segment);
        var random = new Random(7);
        for (var round = 0; round < 50; round++)
        {
            var damaged = (byte[])bytes.Clone();
            var start = random.Next(damaged.Length);
            random.NextBytes(damaged.AsSpan(start, Math.Min(random.Next(1, 64), damaged.Length - start)));
            await File.WriteAllBytesAsync(segment, damaged);
            var replayed = new List<string>();
            await using var log = Open(dir.Path, replayed, out var result);
            Assert.InRange(replayed.Count, 0, 20);
            Assert.Equal(replayed, replayed.Distinct());
            Assert.True(result.RecordsReplayed == replayed.Count);
        }
    }

    [Theory]
    [InlineData("short write")]
    [InlineData("fsync")]
    [InlineData("disk full")]
    public async Task Append_AfterAFaultClears_LeavesNoTornTailAndConsecutiveSequences(string fault)
    {
        using var dir = new TempDirectory();
        var device = new FaultInjectingDevice(FileSystemDevice.Instance);
        await using (var log = Open(dir.Path, [], out _, device))
        {
            Assert.Equal(0, await AppendAsync(log, "before"));
            FaultSwitch.Set(device, fault, true);
            for (var i = 0; i < 3; i++)
            {
                await Assert.ThrowsAsync<StorageUnavailableException>(async () => await AppendAsync(log, "during"));
            }

            FaultSwitch.Set(device, fault, false);
            Assert.Equal(1, await AppendAsync(log, "after"));
            Assert.Equal(3, log.FailedGroups);
        }

        Assert.Single(Directory.GetFiles(dir.Path, "*.wal"));
        var replayed = new List<string>();
        await using var reopened = Open(dir.Path, replayed, out var result);
        Assert.Equal(["before", "after"], replayed);
        Assert.Equal(0, result.TornRecordsTruncated);
        Assert.Equal(0, result.CorruptRegions);
    }

    [Fact]
    public async Task Open_AfterStoppingDuringAShortWriteFault_KeepsEveryAcknowledgedRecord()
    {
        using var dir = new TempDirectory();
        var device = new FaultInjectingDevice(FileSystemDevice.Instance);
        await using (var log = Open(dir.Path, [], out _, device))
        {
            await AppendAsync(log, "acknowledged 1");
            await AppendAsync(log, "acknowledged 2");
            device.ShortWrites = true;
            device.FailFsync = true;
            await Assert.ThrowsAsync<StorageUnavailableException>(async () => await AppendAsync(log, "refused, half written"));
        }

        var replayed = new List<string>();
        await using var reopened = Open(dir.Path, replayed, out var result);
        Assert.Equal(["acknowledged 1", "acknowledged 2"], replayed);
        Assert.Equal(0, result.CorruptRegions);
        Assert.Equal(2, await AppendAsync(reopened, "next"));
    }

    [Fact]
    public async Task Append_DeviceThrowsAnUnexpectedException_FailsUnavailableAndRecovers()
    {
        using var dir = new TempDirectory();
        var device = new ThrowingDevice(FileSystemDevice.Instance);
        await using var log = Open(dir.Path, [], out _, device);
        await AppendAsync(log, "first");
        device.Throw = true;
        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(async () => await AppendAsync(log, "refused").AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsType<InvalidOperationException>(failure.InnerException);
        device.Throw = false;
        Assert.Equal(1, await AppendAsync(log, "second"));
    }

    [Fact]
    public async Task Append_WithGroupCommitDelay_ConcurrentAppendsShareOneFsync()
    {
        using var dir = new TempDirectory();
        await using var log = Open(dir.Path, [], out _, delay: TimeSpan.FromMilliseconds(300));
        using var start = new ManualResetEventSlim();
        var appends = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            start.Wait();
            await AppendAsync(log, $"r{i}");
        })).ToArray();
        start.Set();
        await Task.WhenAll(appends);
        Assert.InRange(log.FsyncCount, 1, 2);
    }

    [Fact]
    public async Task Append_RecordOverTheLimit_ThrowsUnavailableWithoutWriting()
    {
        using var dir = new TempDirectory();
        await using var log = Open(dir.Path, [], out _, maxRecordBytes: 1024);
        await Assert.ThrowsAsync<StorageUnavailableException>(async () => await AppendAsync(log, new string('x', 1024)));
        Assert.Equal(0, await AppendAsync(log, new string('x', 1024 - LogRecordHeader.Size)));
    }

    [Fact]
    public async Task Append_AfterDispose_ThrowsUnavailable()
    {
        using var dir = new TempDirectory();
        var log = Open(dir.Path, [], out _);
        await log.DisposeAsync();
        await Assert.ThrowsAsync<StorageUnavailableException>(async () => await AppendAsync(log, "late"));
    }

    [Fact]
    public async Task DeleteSegments_AfterRoll_RemovesTheClosedSegmentsAndTheirBytes()
    {
        using var dir = new TempDirectory();
        await using var log = Open(dir.Path, [], out _);
        await AppendAsync(log, "old");
        var sizeBefore = log.SizeBytes;
        Assert.Equal(LogRecordHeader.Size + 3, sizeBefore);
        var closed = await log.RollAsync(() => { });
        await AppendAsync(log, "new");
        log.DeleteSegments(closed);
        Assert.Equal(LogRecordHeader.Size + 3, log.SizeBytes);
        var remaining = Assert.Single(Directory.GetFiles(dir.Path, "*.wal"));
        Assert.Equal("00000000000000000001.wal", Path.GetFileName(remaining));
    }
}
