using System.Text.Json;
using Ariadne.Model;

namespace Ariadne.Web.Timeline;

/// <summary>
/// The waterfall's data, written column by column so a 100,000-span trace is a few megabytes the
/// script reads without building an object per span: every array is indexed by display position.
/// Times are microseconds from the trace's start after clock-skew adjustment.
/// </summary>
internal static class TimelineJson
{
    public static void Write(Utf8JsonWriter w, TraceView view)
    {
        var tree = view.Tree;
        var order = view.Order;
        var count = order.Length;
        var position = new int[tree.Count];
        for (var i = 0; i < count; i++)
        {
            position[order[i]] = i;
        }

        var starts = view.Skew.AdjustedStarts;
        var ends = view.Skew.AdjustedEnds;
        var traceStart = ulong.MaxValue;
        var traceEnd = 0UL;
        for (var i = 0; i < tree.Count; i++)
        {
            traceStart = Math.Min(traceStart, starts[i]);
            traceEnd = Math.Max(traceEnd, ends[i]);
        }

        var services = new Dictionary<string, int>(StringComparer.Ordinal);
        var serviceOf = new int[count];
        for (var i = 0; i < count; i++)
        {
            var name = tree.ServiceOf(order[i]);
            if (!services.TryGetValue(name, out var index))
            {
                index = services.Count;
                services.Add(name, index);
            }

            serviceOf[i] = index;
        }

        w.WriteStartObject();
        w.WriteString("key", view.Key);
        w.WriteString("traceId", view.Summary.TraceId.ToString());
        w.WriteNumber("durationUs", Micros(traceEnd - traceStart));
        w.WriteNumber("count", count);
        w.WriteStartArray("services");
        foreach (var name in services.Keys)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteStartArray("id");
        Span<char> hex = stackalloc char[16];
        for (var i = 0; i < count; i++)
        {
            Hex.WriteUInt64(tree.Span(order[i]).SpanId.Value, hex);
            w.WriteStringValue(hex);
        }

        w.WriteEndArray();
        WriteInts(w, "parent", count, i => tree.ParentOf(order[i]) is var p and >= 0 ? position[p] : -1);
        WriteInts(w, "depth", count, i => tree.DepthOf(order[i]));
        WriteInts(w, "service", count, i => serviceOf[i]);
        w.WriteStartArray("name");
        for (var i = 0; i < count; i++)
        {
            w.WriteStringValue(tree.Trace.Utf8(tree.Span(order[i]).Name));
        }

        w.WriteEndArray();
        WriteDoubles(w, "start", count, i => Micros(starts[order[i]] - traceStart));
        WriteDoubles(w, "duration", count, i => Micros(tree.DurationOf(order[i])));
        WriteDoubles(w, "self", count, i => Micros(view.Path.SelfNanosOf(order[i])));
        WriteInts(w, "critical", count, i => view.Path.CriticalNanosOf(order[i]) > 0 ? 1 : 0);
        WriteInts(w, "error", count, i => tree.IsError(order[i]) ? 1 : 0);
        WriteInts(w, "kind", count, i => (int)tree.Span(order[i]).Kind);
        WriteDoubles(w, "skew", count, i => view.Skew.DeltaOf(order[i]) / 1000.0);
        w.WriteEndObject();
    }

    private static double Micros(ulong nanos) => nanos / 1000.0;

    private static void WriteInts(Utf8JsonWriter w, string name, int count, Func<int, int> value)
    {
        w.WriteStartArray(name);
        for (var i = 0; i < count; i++)
        {
            w.WriteNumberValue(value(i));
        }

        w.WriteEndArray();
    }

    private static void WriteDoubles(Utf8JsonWriter w, string name, int count, Func<int, double> value)
    {
        w.WriteStartArray(name);
        for (var i = 0; i < count; i++)
        {
            w.WriteNumberValue(Math.Round(value(i), 3));
        }

        w.WriteEndArray();
    }
}
