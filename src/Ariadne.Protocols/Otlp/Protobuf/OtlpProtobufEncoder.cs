using System.Buffers;
using System.Text;
using Ariadne.Model;

namespace Ariadne.Protocols.Otlp.Protobuf;

/// <summary>
/// Encodes a <see cref="SpanBatch"/> as OTLP <c>TracesData</c> (the wire shape of
/// <c>ExportTraceServiceRequest</c> too), grouping spans by resource and scope. Sizes are computed
/// first so every length prefix is exact and the output is written once, into one span.
/// </summary>
internal static class OtlpProtobufEncoder
{
    public static void WriteTracesData(SpanBatch batch, IBufferWriter<byte> output)
    {
        var layout = BatchLayout.Create(batch);
        try
        {
            var total = 0;
            for (var r = 0; r < layout.ResourceCount; r++)
            {
                total += ProtoSize.LengthDelimited(TracesDataFields.ResourceSpans, layout.ResourceSpansSize[r]);
            }

            var span = output.GetSpan(total)[..total];
            var writer = new ProtoWriter(span);
            for (var r = 0; r < layout.ResourceCount; r++)
            {
                WriteResourceSpans(ref writer, batch, layout, r);
            }

            output.Advance(total);
        }
        finally
        {
            layout.Dispose();
        }
    }

    public static void WriteExportResponse(IBufferWriter<byte> output, long rejectedSpans, string? errorMessage)
    {
        if (rejectedSpans <= 0 && string.IsNullOrEmpty(errorMessage))
        {
            return;
        }

        var message = Encoding.UTF8.GetBytes(errorMessage ?? string.Empty);
        var inner = (rejectedSpans > 0 ? ProtoSize.VarintField(ExportTracePartialSuccessFields.RejectedSpans, (ulong)rejectedSpans) : 0)
            + (message.Length > 0 ? ProtoSize.LengthDelimited(ExportTracePartialSuccessFields.ErrorMessage, message.Length) : 0);
        var total = ProtoSize.LengthDelimited(ExportTraceServiceResponseFields.PartialSuccess, inner);
        var writer = new ProtoWriter(output.GetSpan(total));
        writer.MessageHeader(ExportTraceServiceResponseFields.PartialSuccess, inner);
        if (rejectedSpans > 0)
        {
            writer.VarintField(ExportTracePartialSuccessFields.RejectedSpans, (ulong)rejectedSpans);
        }

        if (message.Length > 0)
        {
            writer.BytesField(ExportTracePartialSuccessFields.ErrorMessage, message);
        }

        output.Advance(total);
    }

    public static void WriteStatus(IBufferWriter<byte> output, int code, string message)
    {
        var text = Encoding.UTF8.GetBytes(message);
        var total = (code != 0 ? ProtoSize.VarintField(RpcStatusFields.Code, (ulong)(long)code) : 0)
            + (text.Length > 0 ? ProtoSize.LengthDelimited(RpcStatusFields.Message, text.Length) : 0);
        var writer = new ProtoWriter(output.GetSpan(Math.Max(total, 1)));
        if (code != 0)
        {
            writer.VarintField(RpcStatusFields.Code, (ulong)(long)code);
        }

        if (text.Length > 0)
        {
            writer.BytesField(RpcStatusFields.Message, text);
        }

        output.Advance(total);
    }

    private static void WriteResourceSpans(ref ProtoWriter writer, SpanBatch batch, BatchLayout layout, int r)
    {
        var resourceIndex = layout.Resources[r];
        ref readonly var resource = ref batch.Resources[resourceIndex];
        writer.MessageHeader(TracesDataFields.ResourceSpans, layout.ResourceSpansSize[r]);
        writer.MessageHeader(ResourceSpansFields.Resource, ResourceSize(batch, resource));
        WriteAttributes(ref writer, batch, ResourceFields.Attributes, resource.Attributes);
        if (resource.DroppedAttributesCount != 0)
        {
            writer.VarintField(ResourceFields.DroppedAttributesCount, resource.DroppedAttributesCount);
        }

        for (var s = layout.ScopeStart[r]; s < layout.ScopeStart[r + 1]; s++)
        {
            var scopeIndex = layout.Scopes[s];
            ref readonly var scope = ref batch.Scopes[scopeIndex];
            writer.MessageHeader(ResourceSpansFields.ScopeSpans, layout.ScopeSpansSize[s]);
            writer.MessageHeader(ScopeSpansFields.Scope, ScopeSize(batch, scope));
            WriteString(ref writer, batch, InstrumentationScopeFields.Name, scope.Name);
            WriteString(ref writer, batch, InstrumentationScopeFields.Version, scope.Version);
            WriteAttributes(ref writer, batch, InstrumentationScopeFields.Attributes, scope.Attributes);
            if (scope.DroppedAttributesCount != 0)
            {
                writer.VarintField(InstrumentationScopeFields.DroppedAttributesCount, scope.DroppedAttributesCount);
            }

            for (var i = layout.SpanStart[s]; i < layout.SpanStart[s + 1]; i++)
            {
                var spanIndex = layout.Spans[i];
                writer.MessageHeader(ScopeSpansFields.Spans, layout.SpanSize[spanIndex]);
                WriteSpan(ref writer, batch, batch.Spans[spanIndex]);
            }

            WriteString(ref writer, batch, ScopeSpansFields.SchemaUrl, scope.SchemaUrl);
        }

        WriteString(ref writer, batch, ResourceSpansFields.SchemaUrl, resource.SchemaUrl);
    }

    private static void WriteSpan(ref ProtoWriter writer, SpanBatch batch, in SpanRow span)
    {
        Span<byte> id = stackalloc byte[TraceId.Size];
        span.TraceId.WriteTo(id);
        writer.BytesField(SpanFields.TraceId, id);
        span.SpanId.WriteTo(id);
        writer.BytesField(SpanFields.SpanId, id[..SpanId.Size]);
        WriteString(ref writer, batch, SpanFields.TraceState, span.TraceState);
        if (span.ParentSpanId.IsValid)
        {
            span.ParentSpanId.WriteTo(id);
            writer.BytesField(SpanFields.ParentSpanId, id[..SpanId.Size]);
        }

        WriteString(ref writer, batch, SpanFields.Name, span.Name);
        if (span.Kind != SpanKind.Unspecified)
        {
            writer.VarintField(SpanFields.Kind, (ulong)span.Kind);
        }

        writer.Fixed64Field(SpanFields.StartTimeUnixNano, span.StartTimeUnixNano);
        writer.Fixed64Field(SpanFields.EndTimeUnixNano, span.EndTimeUnixNano);
        WriteAttributes(ref writer, batch, SpanFields.Attributes, span.Attributes);
        if (span.DroppedAttributesCount != 0)
        {
            writer.VarintField(SpanFields.DroppedAttributesCount, span.DroppedAttributesCount);
        }

        foreach (ref readonly var e in batch.Events.Rows.Slice(span.Events.Start, span.Events.Count))
        {
            writer.MessageHeader(SpanFields.Events, EventSize(batch, e));
            writer.Fixed64Field(EventFields.TimeUnixNano, e.TimeUnixNano);
            WriteString(ref writer, batch, EventFields.Name, e.Name);
            WriteAttributes(ref writer, batch, EventFields.Attributes, e.Attributes);
            if (e.DroppedAttributesCount != 0)
            {
                writer.VarintField(EventFields.DroppedAttributesCount, e.DroppedAttributesCount);
            }
        }

        if (span.DroppedEventsCount != 0)
        {
            writer.VarintField(SpanFields.DroppedEventsCount, span.DroppedEventsCount);
        }

        foreach (ref readonly var link in batch.Links.Rows.Slice(span.Links.Start, span.Links.Count))
        {
            writer.MessageHeader(SpanFields.Links, LinkSize(batch, link));
            link.TraceId.WriteTo(id);
            writer.BytesField(LinkFields.TraceId, id);
            link.SpanId.WriteTo(id);
            writer.BytesField(LinkFields.SpanId, id[..SpanId.Size]);
            WriteString(ref writer, batch, LinkFields.TraceState, link.TraceState);
            WriteAttributes(ref writer, batch, LinkFields.Attributes, link.Attributes);
            if (link.DroppedAttributesCount != 0)
            {
                writer.VarintField(LinkFields.DroppedAttributesCount, link.DroppedAttributesCount);
            }

            if (link.Flags != 0)
            {
                writer.Fixed32Field(LinkFields.Flags, link.Flags);
            }
        }

        if (span.DroppedLinksCount != 0)
        {
            writer.VarintField(SpanFields.DroppedLinksCount, span.DroppedLinksCount);
        }

        var statusSize = StatusSize(span);
        if (statusSize > 0)
        {
            writer.MessageHeader(SpanFields.Status, statusSize);
            WriteString(ref writer, batch, StatusFields.Message, span.StatusMessage);
            if (span.StatusCode != StatusCode.Unset)
            {
                writer.VarintField(StatusFields.Code, (ulong)span.StatusCode);
            }
        }

        if (span.Flags != 0)
        {
            writer.Fixed32Field(SpanFields.Flags, span.Flags);
        }
    }

    private static void WriteString(ref ProtoWriter writer, SpanBatch batch, int fieldNumber, Utf8Ref value)
    {
        if (!value.IsEmpty)
        {
            writer.BytesField(fieldNumber, batch.Utf8(value));
        }
    }

    private static void WriteAttributes(ref ProtoWriter writer, SpanBatch batch, int fieldNumber, RowRange attributes)
    {
        foreach (ref readonly var kv in batch.AttributesOf(attributes))
        {
            WriteKeyValue(ref writer, batch, fieldNumber, kv);
        }
    }

    private static void WriteKeyValue(ref ProtoWriter writer, SpanBatch batch, int fieldNumber, in KeyValue kv)
    {
        writer.MessageHeader(fieldNumber, KeyValueSize(batch, kv));
        WriteString(ref writer, batch, KeyValueFields.Key, kv.Key);
        writer.MessageHeader(KeyValueFields.Value, AnyValueSize(batch, kv.Value));
        WriteAnyValueBody(ref writer, batch, kv.Value);
    }

    private static void WriteAnyValueBody(ref ProtoWriter writer, SpanBatch batch, AnyValue value)
    {
        switch (value.Kind)
        {
            case ValueKind.String:
                writer.BytesField(AnyValueFields.StringValue, batch.Utf8(value.StringRef));
                break;
            case ValueKind.Bool:
                writer.VarintField(AnyValueFields.BoolValue, value.BoolValue ? 1UL : 0UL);
                break;
            case ValueKind.Int:
                writer.VarintField(AnyValueFields.IntValue, (ulong)value.IntValue);
                break;
            case ValueKind.Double:
                writer.Fixed64Field(AnyValueFields.DoubleValue, (ulong)value.Scalar);
                break;
            case ValueKind.Bytes:
                writer.BytesField(AnyValueFields.BytesValue, batch.Utf8(value.StringRef));
                break;
            case ValueKind.Array:
                writer.MessageHeader(AnyValueFields.ArrayValue, ArrayBodySize(batch, value));
                foreach (var element in batch.ElementsOf(value))
                {
                    writer.MessageHeader(ListFields.Values, AnyValueSize(batch, element));
                    WriteAnyValueBody(ref writer, batch, element);
                }

                break;
            case ValueKind.KeyValueList:
                writer.MessageHeader(AnyValueFields.KeyValueListValue, KeyValueListBodySize(batch, value));
                foreach (ref readonly var entry in batch.EntriesOf(value))
                {
                    WriteKeyValue(ref writer, batch, ListFields.Values, entry);
                }

                break;
        }
    }

    internal static int SpanSize(SpanBatch batch, in SpanRow span)
    {
        var size = ProtoSize.LengthDelimited(SpanFields.TraceId, TraceId.Size)
            + ProtoSize.LengthDelimited(SpanFields.SpanId, SpanId.Size)
            + StringSize(SpanFields.TraceState, span.TraceState)
            + (span.ParentSpanId.IsValid ? ProtoSize.LengthDelimited(SpanFields.ParentSpanId, SpanId.Size) : 0)
            + StringSize(SpanFields.Name, span.Name)
            + (span.Kind != SpanKind.Unspecified ? ProtoSize.VarintField(SpanFields.Kind, (ulong)span.Kind) : 0)
            + ((ProtoSize.Tag(SpanFields.StartTimeUnixNano) + 8) * 2)
            + AttributesSize(batch, SpanFields.Attributes, span.Attributes)
            + CountSize(SpanFields.DroppedAttributesCount, span.DroppedAttributesCount)
            + CountSize(SpanFields.DroppedEventsCount, span.DroppedEventsCount)
            + CountSize(SpanFields.DroppedLinksCount, span.DroppedLinksCount)
            + (span.Flags != 0 ? ProtoSize.Tag(SpanFields.Flags) + 4 : 0);
        foreach (ref readonly var e in batch.Events.Rows.Slice(span.Events.Start, span.Events.Count))
        {
            size += ProtoSize.LengthDelimited(SpanFields.Events, EventSize(batch, e));
        }

        foreach (ref readonly var link in batch.Links.Rows.Slice(span.Links.Start, span.Links.Count))
        {
            size += ProtoSize.LengthDelimited(SpanFields.Links, LinkSize(batch, link));
        }

        var status = StatusSize(span);
        if (status > 0)
        {
            size += ProtoSize.LengthDelimited(SpanFields.Status, status);
        }

        return size;
    }

    private static int StatusSize(in SpanRow span) =>
        StringSize(StatusFields.Message, span.StatusMessage)
        + (span.StatusCode != StatusCode.Unset ? ProtoSize.VarintField(StatusFields.Code, (ulong)span.StatusCode) : 0);

    private static int EventSize(SpanBatch batch, in EventRow e) =>
        ProtoSize.Tag(EventFields.TimeUnixNano) + 8
        + StringSize(EventFields.Name, e.Name)
        + AttributesSize(batch, EventFields.Attributes, e.Attributes)
        + CountSize(EventFields.DroppedAttributesCount, e.DroppedAttributesCount);

    private static int LinkSize(SpanBatch batch, in LinkRow link) =>
        ProtoSize.LengthDelimited(LinkFields.TraceId, TraceId.Size)
        + ProtoSize.LengthDelimited(LinkFields.SpanId, SpanId.Size)
        + StringSize(LinkFields.TraceState, link.TraceState)
        + AttributesSize(batch, LinkFields.Attributes, link.Attributes)
        + CountSize(LinkFields.DroppedAttributesCount, link.DroppedAttributesCount)
        + (link.Flags != 0 ? ProtoSize.Tag(LinkFields.Flags) + 4 : 0);

    private static int ResourceSize(SpanBatch batch, in ResourceRow resource) =>
        AttributesSize(batch, ResourceFields.Attributes, resource.Attributes)
        + CountSize(ResourceFields.DroppedAttributesCount, resource.DroppedAttributesCount);

    private static int ScopeSize(SpanBatch batch, in ScopeRow scope) =>
        StringSize(InstrumentationScopeFields.Name, scope.Name)
        + StringSize(InstrumentationScopeFields.Version, scope.Version)
        + AttributesSize(batch, InstrumentationScopeFields.Attributes, scope.Attributes)
        + CountSize(InstrumentationScopeFields.DroppedAttributesCount, scope.DroppedAttributesCount);

    internal static int ResourceSpansSize(SpanBatch batch, in ResourceRow resource, int scopeSpansTotal) =>
        ProtoSize.LengthDelimited(ResourceSpansFields.Resource, ResourceSize(batch, resource))
        + scopeSpansTotal
        + StringSize(ResourceSpansFields.SchemaUrl, resource.SchemaUrl);

    internal static int ScopeSpansSize(SpanBatch batch, in ScopeRow scope, int spansTotal) =>
        ProtoSize.LengthDelimited(ScopeSpansFields.Scope, ScopeSize(batch, scope))
        + spansTotal
        + StringSize(ScopeSpansFields.SchemaUrl, scope.SchemaUrl);

    private static int AttributesSize(SpanBatch batch, int fieldNumber, RowRange attributes)
    {
        var size = 0;
        foreach (ref readonly var kv in batch.AttributesOf(attributes))
        {
            size += ProtoSize.LengthDelimited(fieldNumber, KeyValueSize(batch, kv));
        }

        return size;
    }

    private static int KeyValueSize(SpanBatch batch, in KeyValue kv) =>
        StringSize(KeyValueFields.Key, kv.Key) + ProtoSize.LengthDelimited(KeyValueFields.Value, AnyValueSize(batch, kv.Value));

    private static int AnyValueSize(SpanBatch batch, AnyValue value) => value.Kind switch
    {
        ValueKind.String => ProtoSize.LengthDelimited(AnyValueFields.StringValue, value.Length),
        ValueKind.Bool => ProtoSize.VarintField(AnyValueFields.BoolValue, value.BoolValue ? 1UL : 0UL),
        ValueKind.Int => ProtoSize.VarintField(AnyValueFields.IntValue, (ulong)value.IntValue),
        ValueKind.Double => ProtoSize.Tag(AnyValueFields.DoubleValue) + 8,
        ValueKind.Bytes => ProtoSize.LengthDelimited(AnyValueFields.BytesValue, value.Length),
        ValueKind.Array => ProtoSize.LengthDelimited(AnyValueFields.ArrayValue, ArrayBodySize(batch, value)),
        ValueKind.KeyValueList => ProtoSize.LengthDelimited(AnyValueFields.KeyValueListValue, KeyValueListBodySize(batch, value)),
        _ => 0,
    };

    private static int ArrayBodySize(SpanBatch batch, AnyValue array)
    {
        var size = 0;
        foreach (var element in batch.ElementsOf(array))
        {
            size += ProtoSize.LengthDelimited(ListFields.Values, AnyValueSize(batch, element));
        }

        return size;
    }

    private static int KeyValueListBodySize(SpanBatch batch, AnyValue list)
    {
        var size = 0;
        foreach (ref readonly var entry in batch.EntriesOf(list))
        {
            size += ProtoSize.LengthDelimited(ListFields.Values, KeyValueSize(batch, entry));
        }

        return size;
    }

    private static int StringSize(int fieldNumber, Utf8Ref value) =>
        value.IsEmpty ? 0 : ProtoSize.LengthDelimited(fieldNumber, value.Length);

    private static int CountSize(int fieldNumber, uint count) => count == 0 ? 0 : ProtoSize.VarintField(fieldNumber, count);
}
