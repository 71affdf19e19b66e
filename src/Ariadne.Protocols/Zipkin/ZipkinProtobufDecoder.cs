using System.Buffers.Binary;
using System.Net;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;

namespace Ariadne.Protocols.Zipkin;

/// <summary>
/// Decodes Zipkin's proto3 <c>ListOfSpans</c> (<c>application/x-protobuf</c>) into a batch: spans in
/// field 1; in a span, trace id 1 (8 or 16 bytes), parent id 2, id 3, kind 4, name 5, timestamp 6
/// (fixed64 µs), duration 7 (µs), local endpoint 8, remote endpoint 9, annotations 10, tags 11 (map),
/// debug 12, shared 13; in an endpoint, service name 1, ipv4 2, ipv6 3, port 4.
/// </summary>
internal static class ZipkinProtobufDecoder
{
    public static bool TryDecode(ReadOnlySpan<byte> data, SpanBatch batch, ZipkinTranslator translator, out string error)
    {
        var reader = new ProtoReader(data);
        var draft = new ZipkinSpanDraft();
        var position = 0;
        while (!reader.IsAtEnd && !reader.Failed)
        {
            if (!reader.TryReadTag(out var field, out var wire))
            {
                break;
            }

            if (field != 1)
            {
                reader.SkipField(wire);
                continue;
            }

            if (!reader.Expect(wire, WireType.LengthDelimited, "ListOfSpans.spans"))
            {
                break;
            }

            var span = reader.ReadLengthDelimited();
            if (reader.Failed)
            {
                break;
            }

            // The list's framing holds, so a span whose own bytes are malformed is rejected alone.
            draft.Reset();
            if (!ReadSpan(span, batch, draft, out var spanError))
            {
                draft.FailId("malformed span: " + spanError);
            }

            translator.Add(draft, position++);
        }

        error = reader.Error ?? string.Empty;
        return !reader.Failed;
    }

    private static bool ReadSpan(ReadOnlySpan<byte> data, SpanBatch batch, ZipkinSpanDraft draft, out string error)
    {
        var reader = new ProtoReader(data);
        while (!reader.IsAtEnd && reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == WireType.LengthDelimited:
                    var trace = reader.ReadLengthDelimited();
                    draft.TraceId = trace.Length switch
                    {
                        8 => new TraceId(0, BinaryPrimitives.ReadUInt64BigEndian(trace)),
                        16 => new TraceId(BinaryPrimitives.ReadUInt64BigEndian(trace), BinaryPrimitives.ReadUInt64BigEndian(trace[8..])),
                        _ => default,
                    };
                    if (!draft.TraceId.IsValid)
                    {
                        draft.FailId("trace_id must be 8 or 16 bytes, not all zero");
                    }

                    break;
                case 2 when wire == WireType.LengthDelimited:
                    var parent = reader.ReadLengthDelimited();
                    if (parent.Length == 8)
                    {
                        draft.ParentId = BinaryPrimitives.ReadUInt64BigEndian(parent);
                    }
                    else if (parent.Length != 0)
                    {
                        draft.FailId("parent_id must be 8 bytes");
                    }

                    break;
                case 3 when wire == WireType.LengthDelimited:
                    var id = reader.ReadLengthDelimited();
                    draft.SpanId = id.Length == 8 ? BinaryPrimitives.ReadUInt64BigEndian(id) : 0;
                    if (draft.SpanId == 0)
                    {
                        draft.FailId("id must be 8 bytes, not all zero");
                    }

                    break;
                case 4 when wire == WireType.Varint:
                    var kind = reader.ReadVarint();
                    draft.Kind = kind <= 4 ? (int)kind : 0;
                    break;
                case 5 when wire == WireType.LengthDelimited:
                    draft.Name = batch.AddString(reader.ReadLengthDelimited());
                    break;
                case 6 when wire == WireType.Fixed64:
                    draft.TimestampMicros = Bounded(reader.ReadFixed64(), draft, "timestamp");
                    break;
                case 7 when wire == WireType.Varint:
                    draft.DurationMicros = Bounded(reader.ReadVarint(), draft, "duration");
                    break;
                case 8 when wire == WireType.LengthDelimited:
                    draft.Local = Endpoint(reader.ReadLengthDelimited(), batch, draft);
                    break;
                case 9 when wire == WireType.LengthDelimited:
                    draft.Remote = Endpoint(reader.ReadLengthDelimited(), batch, draft);
                    break;
                case 10 when wire == WireType.LengthDelimited:
                    Annotation(reader.ReadLengthDelimited(), batch, draft);
                    break;
                case 11 when wire == WireType.LengthDelimited:
                    Tag(reader.ReadLengthDelimited(), batch, draft);
                    break;
                case 13 when wire == WireType.Varint:
                    draft.Shared = reader.ReadVarint() != 0;
                    break;
                default:
                    reader.SkipField(wire);
                    break;
            }

            if (reader.Failed)
            {
                break;
            }
        }

        error = reader.Error ?? string.Empty;
        return !reader.Failed;
    }

    private static ulong Bounded(ulong micros, ZipkinSpanDraft draft, string field)
    {
        if (micros < ulong.MaxValue / 2000)
        {
            return micros;
        }

        draft.FailId($"{field} is out of range");
        return 0;
    }

    private static ZipkinEndpoint Endpoint(ReadOnlySpan<byte> data, SpanBatch batch, ZipkinSpanDraft draft)
    {
        var endpoint = default(ZipkinEndpoint);
        var reader = new ProtoReader(data);
        while (!reader.IsAtEnd && reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == WireType.LengthDelimited:
                    endpoint.ServiceName = batch.AddString(reader.ReadLengthDelimited());
                    break;
                case 2 or 3 when wire == WireType.LengthDelimited:
                    var address = reader.ReadLengthDelimited();
                    if (address.Length is 4 or 16)
                    {
                        var text = batch.AddString(new IPAddress(address).ToString());
                        if (field == 2)
                        {
                            endpoint.Ipv4 = text;
                        }
                        else
                        {
                            endpoint.Ipv6 = text;
                        }
                    }
                    else if (address.Length != 0)
                    {
                        draft.FailId("an endpoint address must be 4 (ipv4) or 16 (ipv6) bytes");
                    }

                    break;
                case 4 when wire == WireType.Varint:
                    var port = (int)reader.ReadVarint();
                    endpoint.Port = port is >= 0 and <= 65535 ? port : 0;
                    break;
                default:
                    reader.SkipField(wire);
                    break;
            }

            if (reader.Failed)
            {
                draft.FailId("a malformed endpoint");
                break;
            }
        }

        return endpoint;
    }

    private static void Annotation(ReadOnlySpan<byte> data, SpanBatch batch, ZipkinSpanDraft draft)
    {
        var reader = new ProtoReader(data);
        ulong timestamp = 0;
        Utf8Ref value = default;
        while (!reader.IsAtEnd && reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.Fixed64)
            {
                timestamp = Bounded(reader.ReadFixed64(), draft, "annotation timestamp");
            }
            else if (field == 2 && wire == WireType.LengthDelimited)
            {
                value = batch.AddString(reader.ReadLengthDelimited());
            }
            else
            {
                reader.SkipField(wire);
            }
        }

        if (reader.Failed)
        {
            draft.FailId("a malformed annotation");
        }

        draft.Annotations.Add((timestamp, value));
    }

    /// <summary>A map entry: key 1, value 2.</summary>
    private static void Tag(ReadOnlySpan<byte> data, SpanBatch batch, ZipkinSpanDraft draft)
    {
        var reader = new ProtoReader(data);
        Utf8Ref key = default, value = default;
        while (!reader.IsAtEnd && reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                key = batch.AddString(reader.ReadLengthDelimited());
            }
            else if (field == 2 && wire == WireType.LengthDelimited)
            {
                value = batch.AddString(reader.ReadLengthDelimited());
            }
            else
            {
                reader.SkipField(wire);
            }
        }

        if (reader.Failed)
        {
            draft.FailId("a malformed tag");
        }
        else if (!key.IsEmpty)
        {
            draft.Tags.Add((key, value));
        }
    }
}
