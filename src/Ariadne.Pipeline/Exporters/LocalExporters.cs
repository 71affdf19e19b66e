using System.Globalization;
using System.Text;
using System.Text.Json;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Json;

namespace Ariadne.Pipeline.Exporters;

/// <summary><c>debug</c>: what went through the pipeline, as text lines on a writer (standard output in the server).</summary>
internal sealed class DebugExporter(DebugExporterSettings settings, TextWriter output)
{
    private readonly Lock _lock = new();

    public string Id => settings.Id;

    public void Export(SpanBatch batch)
    {
        var text = new StringBuilder();
        var resources = new HashSet<int>();
        foreach (ref readonly var span in batch.Spans.Rows)
        {
            resources.Add(batch.ScopeOf(span).ResourceIndex);
        }

        text.Append(CultureInfo.InvariantCulture, $"{settings.Id}: {batch.SpanCount} spans, {resources.Count} resources\n");
        if (settings.Detailed)
        {
            foreach (ref readonly var span in batch.Spans.Rows)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {span.TraceId} {span.SpanId} {batch.GetString(batch.ServiceNameOf(span))} \"{batch.GetString(span.Name)}\" {span.Kind} {span.StatusCode} {span.DurationNanos / 1e6:0.###} ms\n");
            }
        }

        lock (_lock)
        {
            output.Write(text.ToString());
            output.Flush();
        }
    }
}

/// <summary><c>file</c>: each batch as one line of OTLP JSON (<c>TracesData</c>), appended and flushed.</summary>
internal sealed class FileExporter : IDisposable
{
    private readonly FileStream _stream;
    private readonly Lock _lock = new();

    public FileExporter(FileExporterSettings settings)
    {
        Id = settings.Id;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Path))!);
        _stream = new FileStream(settings.Path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    public string Id { get; }

    public void Export(SpanBatch batch)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            OtlpJsonEncoder.WriteTracesData(batch, writer);
        }

        buffer.WriteByte((byte)'\n');
        lock (_lock)
        {
            _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>Consistent hashing of trace ids onto backends: adding or removing one moves only its share of traces.</summary>
internal sealed class TraceIdRing
{
    private const int PointsPerBackend = 128;
    private readonly (uint Point, int Backend)[] _ring;

    public TraceIdRing(IReadOnlyList<string> backends)
    {
        var ring = new List<(uint, int)>(backends.Count * PointsPerBackend);
        for (var b = 0; b < backends.Count; b++)
        {
            for (var i = 0; i < PointsPerBackend; i++)
            {
                ring.Add((Fnv(Encoding.UTF8.GetBytes($"{backends[b]}#{i}")), b));
            }
        }

        ring.Sort((x, y) => x.Item1.CompareTo(y.Item1));
        _ring = [.. ring];
    }

    /// <summary>The backend (by index) that gets every span of the trace.</summary>
    public int BackendOf(TraceId traceId)
    {
        Span<byte> bytes = stackalloc byte[TraceId.Size];
        traceId.WriteTo(bytes);
        var hash = Fnv(bytes);
        var low = 0;
        var high = _ring.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_ring[middle].Point < hash)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return _ring[low == _ring.Length ? 0 : low].Backend;
    }

    private static uint Fnv(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 16777619u;
        }

        // FNV-1a's low bits mix poorly for short keys; a final avalanche spreads the points.
        hash ^= hash >> 16;
        hash *= 0x7feb352d;
        hash ^= hash >> 15;
        hash *= 0x846ca68b;
        hash ^= hash >> 16;
        return hash;
    }
}
