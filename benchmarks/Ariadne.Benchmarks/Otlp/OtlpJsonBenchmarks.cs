using System.Buffers;
using System.Text;
using System.Text.Json;
using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Json;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace Ariadne.Benchmarks.Otlp;

/// <summary>
/// OTLP/JSON for the same realistic 512-span request as <see cref="OtlpDecodeBenchmarks"/>: Google.Protobuf's
/// JSON parser (baseline), a bare JsonDocument parse for scale, and Ariadne's decoder and encoder.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class OtlpJsonBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private byte[] _json = [];
    private string _jsonText = string.Empty;
    private SpanBatch _source = new();
    private SpanBatch _batch = new();
    private Utf8JsonWriter _writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _source = RealisticSpans.Create(OtlpDecodeBenchmarks.Spans);
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            OtlpJsonEncoder.WriteTracesData(_source, writer);
        }

        _json = output.WrittenSpan.ToArray();
        _jsonText = Encoding.UTF8.GetString(_json);
        Console.WriteLine($"// request: {OtlpDecodeBenchmarks.Spans} spans, {_json.Length} bytes of JSON");
        _writer = new Utf8JsonWriter(_output);
    }

    [GlobalCleanup]
    public void Cleanup() => _writer.Dispose();

    // Google's parser reads the hex ids as base64 (they are valid base64): the values differ, the work is comparable.
    [Benchmark(Baseline = true)]
    public int GoogleProtobufJsonParser() => JsonParser.Default.Parse<ExportTraceServiceRequest>(_jsonText).ResourceSpans.Count;

    [Benchmark]
    public int JsonDocumentParseOnly()
    {
        using var document = JsonDocument.Parse(_json);
        return document.RootElement.GetProperty("resourceSpans").GetArrayLength();
    }

    [Benchmark]
    public int AriadneDecode()
    {
        _batch.Clear();
        OtlpJsonDecoder.TryDecode(_json, _batch, out _);
        return _batch.SpanCount;
    }

    [Benchmark]
    public int AriadneEncode()
    {
        _output.ResetWrittenCount();
        _writer.Reset();
        OtlpJsonEncoder.WriteTracesData(_source, _writer);
        _writer.Flush();
        return _output.WrittenCount;
    }
}
