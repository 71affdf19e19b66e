using Ariadne.Model;
using Ariadne.Storage.Blocks;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Compression;
using Ariadne.Storage.IO;

namespace Ariadne.Storage.Tests.Blocks;

public class BlockV1Tests
{
    private static List<SpanRef> Spans(params SpanBatch[] batches)
    {
        var spans = new List<SpanRef>();
        foreach (var batch in batches)
        {
            for (var i = 0; i < batch.SpanCount; i++)
            {
                spans.Add(new SpanRef(batch, i));
            }
        }

        return spans;
    }

    [Fact]
    public void BlockMeta_ListsEachOperationOnce_WithOrWithoutAServiceName()
    {
        using var dir = new TempDirectory();
        var services = new[] { "svc-0", "svc-1", string.Empty };
        var batches = Enumerable.Range(0, 12).Select(t => TestBatches.Create(new TraceId(5, (ulong)t + 1), 3, service: services[t % 3])).ToArray();
        var meta = BlockWriterV1.Write(FileSystemDevice.Instance, dir.Path, "tenant-a", Spans(batches), PageCodec.None);

        var expected = (from service in new[] { string.Empty, "svc-0", "svc-1" }
                        from op in new[] { "op 0", "op 1", "op 2" }
                        select new BlockOperation(service, op, "server")).ToArray();
        Assert.Equal(expected, meta.Operations);
        Assert.Equal(["svc-0", "svc-1"], meta.Services);
    }

    [Fact]
    public void SortByTrace_OrdersByTraceIdThenStart_AndKeepsTheOrderOfEqualKeys()
    {
        var random = new Random(7);
        var batches = new List<SpanBatch>();
        var spans = new List<SpanRef>();
        for (var b = 0; b < 20; b++)
        {
            var batch = new SpanBatch();
            for (var i = 0; i < 50; i++)
            {
                // Few distinct trace ids and starts, so equal keys occur across batches.
                batch.Spans.Add(new SpanRow
                {
                    TraceId = new TraceId((ulong)random.Next(3), (ulong)random.Next(4)),
                    SpanId = new SpanId((ulong)((b * 1000) + i + 1)),
                    StartTimeUnixNano = (ulong)random.Next(5),
                });
                spans.Add(new SpanRef(batch, i));
            }

            batches.Add(batch);
        }

        var expected = spans
            .Select((span, position) => (span, position))
            .OrderBy(s => s.span.Row.TraceId.High).ThenBy(s => s.span.Row.TraceId.Low).ThenBy(s => s.span.Row.StartTimeUnixNano).ThenBy(s => s.position)
            .Select(s => s.span.Row.SpanId)
            .ToList();

        BlockWriterV1.SortByTrace(spans);

        Assert.Equal(expected, spans.Select(s => s.Row.SpanId).ToList());
    }

    [Theory]
    [InlineData((byte)PageCodec.None)]
    [InlineData((byte)PageCodec.Deflate)]
    [InlineData((byte)PageCodec.Brotli)]
    [InlineData((byte)PageCodec.Zstd)]
    public void WriteThenRead_EveryTrace_ComesBackLosslessly(byte codecValue)
    {
        var codec = (PageCodec)codecValue;
        if (codec == PageCodec.Zstd && !ZstdNative.IsAvailable)
        {
            return;
        }

        using var dir = new TempDirectory();
        var traces = (BlockWriterV1.TargetPageSpans / 5) + 300;
        var batches = Enumerable.Range(0, traces).Select(t => TestBatches.Create(new TraceId((ulong)t * 7919, (ulong)t + 1), 5, service: $"svc-{t % 4}")).ToArray();
        var meta = BlockWriterV1.Write(FileSystemDevice.Instance, dir.Path, "tenant-a", Spans(batches), codec);
        Assert.Equal(traces * 5, meta.SpanCount);
        Assert.Equal(traces, meta.TraceCount);
        Assert.True(meta.PageCount >= 2);
        Assert.Equal(["svc-0", "svc-1", "svc-2", "svc-3"], meta.Services);
        Assert.Contains("index", meta.AttributeKeys);

        using var reader = BlockReaderV1.Open(FileSystemDevice.Instance, Path.Combine(dir.Path, meta.BlockId.ToString("N")));
        foreach (var batch in batches)
        {
            var traceId = batch.Spans[0].TraceId;
            var found = new List<SpanRef>();
            Assert.Equal(5, reader.ReadTrace(traceId, found));
            var expected = Canonical(batch, Spans(batch));
            var actual = Canonical(found[0].Batch, found);
            Assert.Equal(expected, actual);
        }

        Assert.Equal(0, reader.ReadTrace(new TraceId(123456789, 987654321), []));
    }

    /// <summary>A text form of spans with every field resolved, to compare across batches.</summary>
    private static List<string> Canonical(SpanBatch unused, List<SpanRef> spans)
    {
        _ = unused;
        var result = new List<string>();
        foreach (var span in spans.OrderBy(s => s.Row.SpanId.Value))
        {
            var copy = new SpanBatch();
            new SpanCopier(copy).CopySpan(span.Batch, span.Index);
            var row = copy.Spans[0];
            var scope = copy.Scopes[row.ScopeIndex];
            var resource = copy.Resources[scope.ResourceIndex];
            result.Add(string.Join('|',
                row.TraceId, row.SpanId, row.ParentSpanId, row.StartTimeUnixNano, row.EndTimeUnixNano, row.Kind, row.StatusCode,
                copy.GetString(row.Name), copy.GetString(row.StatusMessage), copy.GetString(row.TraceState), row.Flags,
                Attributes(copy, row.Attributes),
                string.Join(';', copy.Events.Rows.ToArray().Select(e => $"{e.TimeUnixNano}/{copy.GetString(e.Name)}/{Attributes(copy, e.Attributes)}")),
                string.Join(';', copy.Links.Rows.ToArray().Select(l => $"{l.TraceId}/{l.SpanId}/{copy.GetString(l.TraceState)}/{Attributes(copy, l.Attributes)}")),
                copy.GetString(scope.Name), copy.GetString(scope.Version), Attributes(copy, resource.Attributes), copy.GetString(resource.SchemaUrl)));
        }

        return result;
    }

    private static string Attributes(SpanBatch batch, RowRange range) =>
        string.Join(',', batch.AttributesOf(range).ToArray().Select(kv => $"{batch.GetString(kv.Key)}={Value(batch, kv.Value)}"));

    private static string Value(SpanBatch batch, AnyValue value) => value.Kind switch
    {
        ValueKind.String => "s:" + batch.GetString(value.StringRef),
        ValueKind.Bytes => "b:" + Convert.ToHexString(batch.Utf8(value.StringRef)),
        ValueKind.Array => "[" + string.Join(',', batch.ElementsOf(value).ToArray().Select(v => Value(batch, v))) + "]",
        ValueKind.KeyValueList => "{" + string.Join(',', batch.EntriesOf(value).ToArray().Select(e => $"{batch.GetString(e.Key)}:{Value(batch, e.Value)}")) + "}",
        _ => $"{value.Kind}:{value.Scalar}",
    };

    [Fact]
    public void Open_FlippedByteInAPage_IsDetectedOnRead()
    {
        using var dir = new TempDirectory();
        var batch = TestBatches.Create(new TraceId(5, 5), 10);
        var meta = BlockWriterV1.Write(FileSystemDevice.Instance, dir.Path, "t", Spans(batch), PageCodec.Brotli);
        var blockDir = Path.Combine(dir.Path, meta.BlockId.ToString("N"));
        var data = File.ReadAllBytes(Path.Combine(blockDir, BlockFiles.Data));
        data[^3] ^= 0x10;
        File.WriteAllBytes(Path.Combine(blockDir, BlockFiles.Data), data);

        using var reader = BlockReaderV1.Open(FileSystemDevice.Instance, blockDir);
        Assert.Throws<InvalidDataException>(() => reader.ReadTrace(new TraceId(5, 5), []));
    }

    [Fact]
    public void Open_DamagedIndexOrMeta_Throws()
    {
        using var dir = new TempDirectory();
        var meta = BlockWriterV1.Write(FileSystemDevice.Instance, dir.Path, "t", Spans(TestBatches.Create(new TraceId(5, 5), 3)), PageCodec.Brotli);
        var blockDir = Path.Combine(dir.Path, meta.BlockId.ToString("N"));
        var index = File.ReadAllBytes(Path.Combine(blockDir, BlockFiles.Index));
        index[14] ^= 1;
        File.WriteAllBytes(Path.Combine(blockDir, BlockFiles.Index), index);
        Assert.Throws<InvalidDataException>(() => BlockReaderV1.Open(FileSystemDevice.Instance, blockDir));
    }

    [Fact]
    public void AddTrace_OutOfOrderOrRepeated_ThrowsAndAbandonLeavesNoFolder()
    {
        using var dir = new TempDirectory();
        var writer = BlockWriterV1.Create(FileSystemDevice.Instance, dir.Path, "t", PageCodec.None, 2);
        writer.AddTrace(Spans(TestBatches.Create(new TraceId(5, 5), 2)).ToArray());
        Assert.Throws<InvalidOperationException>(() => writer.AddTrace(Spans(TestBatches.Create(new TraceId(5, 5), 1)).ToArray()));
        Assert.Throws<InvalidOperationException>(() => writer.AddTrace(Spans(TestBatches.Create(new TraceId(1, 1), 1)).ToArray()));
        writer.Abandon();
        Assert.Empty(Directory.GetDirectories(dir.Path));
    }

    [Fact]
    public void Write_IndexEntries_CarryEachPagesTimeDurationKindAndStatus()
    {
        using var dir = new TempDirectory();
        var batches = Enumerable.Range(1, (2 * BlockWriterV1.TargetPageSpans) + 100).Select(t => TestBatches.Create(new TraceId(3, (ulong)t), 1)).ToArray();
        var meta = BlockWriterV1.Write(FileSystemDevice.Instance, dir.Path, "t", Spans(batches), PageCodec.None);
        using var reader = BlockReaderV1.Open(FileSystemDevice.Instance, Path.Combine(dir.Path, meta.BlockId.ToString("N")));

        Assert.Equal(3, reader.PageCount);
        foreach (var entry in reader.Pages.ToArray())
        {
            Assert.Equal(1000UL, entry.MinStartUnixNano);
            Assert.Equal(2000UL, entry.MaxEndUnixNano);
            Assert.Equal(1000UL, entry.MaxDurationNanos);
            Assert.True(entry.MayHaveKind(SpanKind.Server));
            Assert.False(entry.MayHaveKind(SpanKind.Client));
            Assert.True(entry.MayHaveStatus(StatusCode.Error));
            Assert.False(entry.MayHaveStatus(StatusCode.Ok));
        }
    }

    [Fact]
    public void WriteThenRead_ParentsInOutsideAndAcrossPagesAndUnorderedStarts_ComeBackExactly()
    {
        using var dir = new TempDirectory();
        var batch = TestBatches.Create(new TraceId(4, 4), BlockWriterV1.MaxPageSpans + 5, firstSpanId: 100);
        var spans = batch.Spans.Rows;
        spans[1].ParentSpanId = new SpanId(999_999); // not in the trace
        spans[2].ParentSpanId = new SpanId(100 + (ulong)BlockWriterV1.MaxPageSpans + 3); // a later span, on the next page
        spans[3].StartTimeUnixNano = 1;               // before the span written ahead of it
        spans[^1].ParentSpanId = new SpanId(101);     // an earlier span, on the previous page
        var expected = spans.ToArray().ToDictionary(s => s.SpanId, s => (s.ParentSpanId, s.StartTimeUnixNano, s.EndTimeUnixNano));

        var meta = BlockWriterV1.Write(FileSystemDevice.Instance, dir.Path, "t", Spans(batch), PageCodec.None);
        using var reader = BlockReaderV1.Open(FileSystemDevice.Instance, Path.Combine(dir.Path, meta.BlockId.ToString("N")));
        var found = new List<SpanRef>();
        reader.ReadTrace(new TraceId(4, 4), found);

        Assert.Equal(2, meta.PageCount);
        Assert.Equal(expected.Count, found.Count);
        foreach (var span in found)
        {
            Assert.Equal(expected[span.Row.SpanId], (span.Row.ParentSpanId, span.Row.StartTimeUnixNano, span.Row.EndTimeUnixNano));
        }
    }
}
