using Google.Protobuf;

namespace Ariadne.Protocols.Tests.Support;

/// <summary>Adds unknown fields of every wire type a newer OTLP version could send, around a message.</summary>
internal static class UnknownFieldWriter
{
    public static byte[] Wrap(byte[] message)
    {
        using var stream = new MemoryStream();
        var before = new CodedOutputStream(stream, leaveOpen: true);
        before.WriteTag(900, WireFormat.WireType.Varint);
        before.WriteUInt64(ulong.MaxValue);
        before.WriteTag(901, WireFormat.WireType.Fixed64);
        before.WriteFixed64(42);
        before.WriteTag(902, WireFormat.WireType.LengthDelimited);
        before.WriteBytes(ByteString.CopyFrom(1, 2, 3));
        before.WriteTag(903, WireFormat.WireType.Fixed32);
        before.WriteFixed32(7);
        before.Flush();
        stream.Write(message);
        var after = new CodedOutputStream(stream, leaveOpen: true);
        after.WriteTag(904, WireFormat.WireType.Varint);
        after.WriteUInt64(1);
        after.Flush();
        return stream.ToArray();
    }
}
