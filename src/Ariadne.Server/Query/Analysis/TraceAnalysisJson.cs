using System.Globalization;
using System.Text.Json;
using Ariadne.Analysis.Traces;
using Ariadne.Model;

namespace Ariadne.Server.Query.Analysis;

/// <summary>
/// The analysis API's JSON: camelCase names, ids as lower-case hex, durations as whole nanoseconds
/// (numbers, exact up to 104 days) and instants as nanoseconds since the epoch in strings, as OTLP
/// JSON writes them, since they exceed what a JavaScript number holds exactly.
/// </summary>
internal static class TraceAnalysisJson
{
    public static void WriteError(Utf8JsonWriter writer, int status, string message)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteNumber("code", status);
        writer.WriteString("message", message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteAnalysis(Utf8JsonWriter writer, TraceId traceId, TraceSummary summary, CriticalPath path, ClockSkewAdjustment skew)
    {
        var tree = skew.Tree;
        writer.WriteStartObject();
        writer.WriteString("traceId", traceId.ToString());
        writer.WritePropertyName("summary");
        WriteSummary(writer, summary);

        writer.WriteStartObject("criticalPath");
        if (path.Root < 0)
        {
            writer.WriteNull("rootSpanId");
        }
        else
        {
            writer.WriteString("rootSpanId", tree.Span(path.Root).SpanId.ToString());
        }

        writer.WriteNumber("durationNanos", path.TotalNanos);
        writer.WriteStartArray("segments");
        foreach (var segment in path.Segments)
        {
            writer.WriteStartObject();
            writer.WriteString("spanId", segment.SpanId.ToString());
            writer.WriteString("service", tree.ServiceOf(segment.SpanIndex));
            writer.WriteString("operation", tree.OperationOf(segment.SpanIndex));
            WriteInstant(writer, "startTimeUnixNano", segment.StartUnixNano);
            WriteInstant(writer, "endTimeUnixNano", segment.EndUnixNano);
            writer.WriteNumber("durationNanos", segment.DurationNanos);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();

        writer.WriteStartArray("spans");
        foreach (var span in tree.PreOrder)
        {
            ref readonly var row = ref tree.Span(span);
            writer.WriteStartObject();
            writer.WriteString("spanId", row.SpanId.ToString());
            var parent = tree.ParentOf(span);
            if (parent < 0)
            {
                writer.WriteNull("parentSpanId");
            }
            else
            {
                writer.WriteString("parentSpanId", tree.Span(parent).SpanId.ToString());
            }

            writer.WriteString("service", tree.ServiceOf(span));
            writer.WriteString("operation", tree.OperationOf(span));
            writer.WriteNumber("depth", tree.DepthOf(span));
            WriteInstant(writer, "startTimeUnixNano", skew.AdjustedStartOf(span));
            writer.WriteNumber("durationNanos", tree.DurationOf(span));
            writer.WriteNumber("selfNanos", path.SelfNanosOf(span));
            writer.WriteNumber("criticalPathNanos", path.CriticalNanosOf(span));
            writer.WriteNumber("criticalPathShare", Math.Round(path.ShareOf(span), 6));
            writer.WriteNumber("clockSkewDeltaNanos", skew.DeltaOf(span));
            writer.WriteBoolean("error", tree.IsError(span));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartArray("orphans");
        foreach (var orphan in tree.Orphans)
        {
            writer.WriteStartObject();
            writer.WriteString("spanId", orphan.SpanId.ToString());
            writer.WriteString("missingParentSpanId", orphan.MissingParentId.ToString());
            writer.WriteString("service", tree.ServiceOf(orphan.SpanIndex));
            writer.WriteString("operation", tree.OperationOf(orphan.SpanIndex));
            writer.WriteBoolean("inCycle", orphan.InCycle);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartArray("clockSkew");
        foreach (var warning in skew.Warnings)
        {
            writer.WriteStartObject();
            writer.WriteString("spanId", warning.SpanId.ToString());
            writer.WriteNumber("deltaNanos", warning.DeltaNanos);
            writer.WriteBoolean("applied", warning.Applied);
            writer.WriteString("message", warning.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteDiff(Utf8JsonWriter writer, TraceId idA, TraceId idB, TraceDiff diff)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("a");
        WriteSide(writer, idA, diff.SummaryA);
        writer.WritePropertyName("b");
        WriteSide(writer, idB, diff.SummaryB);
        writer.WriteNumber("deltaDurationNanos", diff.DeltaDurationNanos);
        writer.WriteNumber("matched", diff.MatchedCount);
        writer.WriteNumber("missing", diff.MissingCount);
        writer.WriteNumber("added", diff.AddedCount);
        writer.WriteStartArray("nodes");
        foreach (var node in diff.Nodes)
        {
            WriteNode(writer, node);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteNode(Utf8JsonWriter writer, TraceDiffNode node)
    {
        writer.WriteStartObject();
        writer.WriteNumber("index", node.Index);
        if (node.Parent < 0)
        {
            writer.WriteNull("parent");
        }
        else
        {
            writer.WriteNumber("parent", node.Parent);
        }

        writer.WriteNumber("depth", node.Depth);
        writer.WriteString("service", node.Service);
        writer.WriteString("operation", node.Operation);
        writer.WriteString("status", node.Status switch
        {
            TraceDiffStatus.Matched => "matched",
            TraceDiffStatus.Missing => "missing",
            _ => "added",
        });
        writer.WriteNumber("countA", node.CountA);
        writer.WriteNumber("countB", node.CountB);
        writer.WriteNumber("totalNanosA", node.TotalNanosA);
        writer.WriteNumber("totalNanosB", node.TotalNanosB);
        WriteOptional(writer, "meanNanosA", node.MeanNanosA, node.CountA > 0);
        WriteOptional(writer, "meanNanosB", node.MeanNanosB, node.CountB > 0);
        writer.WriteNumber("deltaTotalNanos", node.DeltaTotalNanos);
        if (node.Status == TraceDiffStatus.Matched)
        {
            writer.WriteNumber("deltaMeanNanos", node.DeltaMeanNanos);
        }
        else
        {
            writer.WriteNull("deltaMeanNanos");
        }

        writer.WriteStartArray("pairs");
        foreach (var pair in node.Pairs)
        {
            writer.WriteStartObject();
            WriteOptionalId(writer, "spanIdA", pair.SpanIdA, pair.SpanA >= 0);
            WriteOptionalId(writer, "spanIdB", pair.SpanIdB, pair.SpanB >= 0);
            WriteOptional(writer, "durationNanosA", pair.DurationNanosA, pair.SpanA >= 0);
            WriteOptional(writer, "durationNanosB", pair.DurationNanosB, pair.SpanB >= 0);
            if (pair.IsMatched)
            {
                writer.WriteNumber("deltaNanos", pair.DeltaNanos);
            }
            else
            {
                writer.WriteNull("deltaNanos");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteSide(Utf8JsonWriter writer, TraceId id, TraceSummary summary)
    {
        writer.WriteStartObject();
        writer.WriteString("traceId", id.ToString());
        writer.WriteNumber("spanCount", summary.SpanCount);
        writer.WriteNumber("errorCount", summary.ErrorCount);
        writer.WriteString("rootService", summary.RootService);
        writer.WriteString("rootOperation", summary.RootOperation);
        WriteInstant(writer, "startTimeUnixNano", summary.StartUnixNano);
        writer.WriteNumber("durationNanos", summary.DurationNanos);
        writer.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter writer, TraceSummary summary)
    {
        writer.WriteStartObject();
        writer.WriteNumber("spanCount", summary.SpanCount);
        writer.WriteNumber("errorCount", summary.ErrorCount);
        writer.WriteString("rootService", summary.RootService);
        writer.WriteString("rootOperation", summary.RootOperation);
        WriteInstant(writer, "startTimeUnixNano", summary.StartUnixNano);
        WriteInstant(writer, "endTimeUnixNano", summary.EndUnixNano);
        writer.WriteNumber("durationNanos", summary.DurationNanos);
        writer.WriteNumber("depth", summary.Depth);
        writer.WriteNumber("rootCount", summary.RootCount);
        writer.WriteNumber("orphanCount", summary.OrphanCount);
        writer.WriteStartArray("services");
        foreach (var service in summary.Services)
        {
            writer.WriteStartObject();
            writer.WriteString("name", service.Name);
            writer.WriteNumber("spanCount", service.SpanCount);
            writer.WriteNumber("errorCount", service.ErrorCount);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteInstant(Utf8JsonWriter writer, string name, ulong unixNano) =>
        writer.WriteString(name, unixNano.ToString(CultureInfo.InvariantCulture));

    private static void WriteOptional(Utf8JsonWriter writer, string name, ulong value, bool present)
    {
        if (present)
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteOptionalId(Utf8JsonWriter writer, string name, SpanId id, bool present)
    {
        if (present)
        {
            writer.WriteString(name, id.ToString());
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
