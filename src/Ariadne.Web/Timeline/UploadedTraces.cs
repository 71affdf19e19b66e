using System.Security.Cryptography;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Json;

namespace Ariadne.Web.Timeline;

/// <summary>
/// Trace files opened in the browser to view offline. They are never stored: they live here for an
/// hour under an unguessable key, at most <see cref="Capacity"/> at a time.
/// </summary>
internal sealed class UploadedTraces
{
    public const int Capacity = 16;
    private const string Prefix = "upload-";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Tenant, TraceView View, DateTime Expires)> _views = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public UploadedTraces(TimeProvider time) => _time = time;

    public static bool IsUploadKey(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// Decodes an OTLP JSON trace file (<c>{"resourceSpans":[…]}</c>, as the download and Tempo write it,
    /// or Jaeger v3's <c>{"result":{…}}</c>) and keeps it. Spans of several traces are shown together.
    /// </summary>
    public bool TryAdd(string tenant, ReadOnlySpan<byte> json, out TraceView? view, out string error)
    {
        view = null;
        var batch = new SpanBatch();
        var body = UnwrapResult(json);
        if (!OtlpJsonDecoder.TryDecode(body, batch, out var decodeError))
        {
            error = "not an OTLP JSON trace: " + decodeError;
            return false;
        }

        if (batch.SpanCount == 0)
        {
            error = "the file holds no spans";
            return false;
        }

        var key = Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        view = TraceView.Build(key, batch);
        var now = _time.GetUtcNow().UtcDateTime;
        lock (_gate)
        {
            foreach (var (oldKey, entry) in _views.ToArray())
            {
                if (entry.Expires <= now)
                {
                    _views.Remove(oldKey);
                }
            }

            while (_views.Count >= Capacity)
            {
                var oldest = _views.MinBy(static e => e.Value.Expires).Key;
                _views.Remove(oldest);
            }

            _views[key] = (tenant, view, now + Lifetime);
        }

        error = string.Empty;
        return true;
    }

    /// <summary>An upload, only to the tenant that made it.</summary>
    public TraceView? Get(string tenant, string key)
    {
        lock (_gate)
        {
            return _views.TryGetValue(key, out var entry) && entry.Tenant == tenant && entry.Expires > _time.GetUtcNow().UtcDateTime ? entry.View : null;
        }
    }

    /// <summary>Jaeger's v3 API wraps the trace in <c>{"result": …}</c>; the decoder reads what is inside.</summary>
    private static ReadOnlySpan<byte> UnwrapResult(ReadOnlySpan<byte> json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json, new System.Text.Json.JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return json;
            }

            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var isResult = reader.ValueTextEquals("result"u8);
                if (!reader.Read())
                {
                    return json;
                }

                if (isResult && reader.TokenType == System.Text.Json.JsonTokenType.StartObject)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    return json[start..(int)reader.BytesConsumed];
                }

                reader.Skip();
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // The decoder reports what is wrong with the file.
        }

        return json;
    }
}
