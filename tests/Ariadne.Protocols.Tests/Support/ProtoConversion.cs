using Ariadne.Model;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using ProtoSpan = OpenTelemetry.Proto.Trace.V1.Span;
using ProtoAnyValue = OpenTelemetry.Proto.Common.V1.AnyValue;
using ProtoKeyValue = OpenTelemetry.Proto.Common.V1.KeyValue;
using ProtoStatus = OpenTelemetry.Proto.Trace.V1.Status;

namespace Ariadne.Protocols.Tests.Support;

/// <summary>
/// Rebuilds the reference (Google.Protobuf-generated) message from a decoded batch, resource by
/// resource and scope by scope in row order, so the two can be compared with the generated types'
/// value equality.
/// </summary>
internal static class ProtoConversion
{
    public static ExportTraceServiceRequest ToProto(SpanBatch batch)
    {
        var request = new ExportTraceServiceRequest();
        for (var r = 0; r < batch.Resources.Count; r++)
        {
            var resourceRow = batch.Resources[r];
            var resourceSpans = new ResourceSpans
            {
                Resource = new Resource { DroppedAttributesCount = resourceRow.DroppedAttributesCount },
                SchemaUrl = batch.GetString(resourceRow.SchemaUrl),
            };
            resourceSpans.Resource.Attributes.AddRange(Attributes(batch, resourceRow.Attributes));
            for (var s = 0; s < batch.Scopes.Count; s++)
            {
                var scopeRow = batch.Scopes[s];
                if (scopeRow.ResourceIndex != r)
                {
                    continue;
                }

                var scopeSpans = new ScopeSpans
                {
                    Scope = new InstrumentationScope
                    {
                        Name = batch.GetString(scopeRow.Name),
                        Version = batch.GetString(scopeRow.Version),
                        DroppedAttributesCount = scopeRow.DroppedAttributesCount,
                    },
                    SchemaUrl = batch.GetString(scopeRow.SchemaUrl),
                };
                scopeSpans.Scope.Attributes.AddRange(Attributes(batch, scopeRow.Attributes));
                foreach (ref readonly var span in batch.Spans.Rows)
                {
                    if (span.ScopeIndex == s)
                    {
                        scopeSpans.Spans.Add(ToProto(batch, span));
                    }
                }

                resourceSpans.ScopeSpans.Add(scopeSpans);
            }

            request.ResourceSpans.Add(resourceSpans);
        }

        return request;
    }

    /// <summary>
    /// The reference message as a decoder that follows the model sees it: a resource or scope that is
    /// absent on the wire becomes an empty one.
    /// </summary>
    public static ExportTraceServiceRequest Normalize(ExportTraceServiceRequest request)
    {
        var copy = request.Clone();
        foreach (var rs in copy.ResourceSpans)
        {
            rs.Resource ??= new Resource();
            foreach (var ss in rs.ScopeSpans)
            {
                ss.Scope ??= new InstrumentationScope();
                foreach (var span in ss.Spans)
                {
                    span.Status ??= new ProtoStatus();
                }
            }
        }

        return copy;
    }

    private static ProtoSpan ToProto(SpanBatch batch, in SpanRow row)
    {
        var span = new ProtoSpan
        {
            TraceId = ByteString.CopyFrom(row.TraceId.ToByteArray()),
            SpanId = ByteString.CopyFrom(row.SpanId.ToByteArray()),
            TraceState = batch.GetString(row.TraceState),
            ParentSpanId = row.ParentSpanId.IsValid ? ByteString.CopyFrom(row.ParentSpanId.ToByteArray()) : ByteString.Empty,
            Flags = row.Flags,
            Name = batch.GetString(row.Name),
            Kind = (ProtoSpan.Types.SpanKind)row.Kind,
            StartTimeUnixNano = row.StartTimeUnixNano,
            EndTimeUnixNano = row.EndTimeUnixNano,
            DroppedAttributesCount = row.DroppedAttributesCount,
            DroppedEventsCount = row.DroppedEventsCount,
            DroppedLinksCount = row.DroppedLinksCount,
            Status = new ProtoStatus { Code = (ProtoStatus.Types.StatusCode)row.StatusCode, Message = batch.GetString(row.StatusMessage) },
        };
        span.Attributes.AddRange(Attributes(batch, row.Attributes));
        foreach (ref readonly var e in batch.Events.Rows.Slice(row.Events.Start, row.Events.Count))
        {
            var ev = new ProtoSpan.Types.Event { TimeUnixNano = e.TimeUnixNano, Name = batch.GetString(e.Name), DroppedAttributesCount = e.DroppedAttributesCount };
            ev.Attributes.AddRange(Attributes(batch, e.Attributes));
            span.Events.Add(ev);
        }

        foreach (ref readonly var l in batch.Links.Rows.Slice(row.Links.Start, row.Links.Count))
        {
            var link = new ProtoSpan.Types.Link
            {
                TraceId = ByteString.CopyFrom(l.TraceId.ToByteArray()),
                SpanId = ByteString.CopyFrom(l.SpanId.ToByteArray()),
                TraceState = batch.GetString(l.TraceState),
                DroppedAttributesCount = l.DroppedAttributesCount,
                Flags = l.Flags,
            };
            link.Attributes.AddRange(Attributes(batch, l.Attributes));
            span.Links.Add(link);
        }

        return span;
    }

    private static List<ProtoKeyValue> Attributes(SpanBatch batch, RowRange range)
    {
        var list = new List<ProtoKeyValue>();
        foreach (ref readonly var kv in batch.AttributesOf(range))
        {
            list.Add(new ProtoKeyValue { Key = batch.GetString(kv.Key), Value = Value(batch, kv.Value) });
        }

        return list;
    }

    private static ProtoAnyValue Value(SpanBatch batch, Ariadne.Model.AnyValue value)
    {
        switch (value.Kind)
        {
            case ValueKind.String:
                return new ProtoAnyValue { StringValue = batch.GetString(value.StringRef) };
            case ValueKind.Bool:
                return new ProtoAnyValue { BoolValue = value.BoolValue };
            case ValueKind.Int:
                return new ProtoAnyValue { IntValue = value.IntValue };
            case ValueKind.Double:
                return new ProtoAnyValue { DoubleValue = value.DoubleValue };
            case ValueKind.Bytes:
                return new ProtoAnyValue { BytesValue = ByteString.CopyFrom(batch.Utf8(value.StringRef)) };
            case ValueKind.Array:
            {
                var array = new ArrayValue();
                foreach (var element in batch.ElementsOf(value))
                {
                    array.Values.Add(Value(batch, element));
                }

                return new ProtoAnyValue { ArrayValue = array };
            }

            case ValueKind.KeyValueList:
            {
                var list = new KeyValueList();
                foreach (ref readonly var entry in batch.EntriesOf(value))
                {
                    list.Values.Add(new ProtoKeyValue { Key = batch.GetString(entry.Key), Value = Value(batch, entry.Value) });
                }

                return new ProtoAnyValue { KvlistValue = list };
            }

            default:
                return new ProtoAnyValue();
        }
    }
}
