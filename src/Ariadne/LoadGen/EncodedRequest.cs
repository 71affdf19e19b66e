using System.Buffers;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;

namespace Ariadne.Cli.LoadGen;

/// <summary>
/// An OTLP export request encoded once, with where it holds its trace ids: each send writes a round
/// number into them, so replaying the same bytes at full speed still produces new traces every time.
/// </summary>
internal sealed record EncodedRequest(byte[] Bytes, int[] TraceIdOffsets, int SpanCount)
{
    /// <summary>Copies the request into <paramref name="destination"/> with the first 4 bytes of every trace id XORed with <paramref name="round"/>.</summary>
    public int Render(Span<byte> destination, uint round)
    {
        Bytes.CopyTo(destination);
        foreach (var offset in TraceIdOffsets)
        {
            destination[offset] ^= (byte)(round >> 24);
            destination[offset + 1] ^= (byte)(round >> 16);
            destination[offset + 2] ^= (byte)(round >> 8);
            destination[offset + 3] ^= (byte)round;
        }

        return Bytes.Length;
    }

    /// <summary><paramref name="count"/> distinct requests of <paramref name="spansPerRequest"/> spans of the profile.</summary>
    public static List<EncodedRequest> Prepare(string profile, int spansPerRequest, int count, int firstSeed = 50_000_000, TraceShape? shape = null)
    {
        var requests = new List<EncodedRequest>(count);
        var pattern = new byte[TraceId.Size];
        for (var r = 0; r < count; r++)
        {
            var batch = SpanProfiles.Create(profile, spansPerRequest, firstSeed + r, shape);
            var output = new ArrayBufferWriter<byte>(1 << 20);
            OtlpProtobufEncoder.WriteTracesData(batch, output);
            var bytes = output.WrittenSpan.ToArray();
            var ids = new HashSet<TraceId>();
            foreach (ref readonly var span in batch.Spans.Rows)
            {
                ids.Add(span.TraceId);
            }

            var offsets = new List<int>();
            foreach (var id in ids)
            {
                id.WriteTo(pattern);
                for (var at = bytes.AsSpan().IndexOf(pattern); at >= 0;)
                {
                    offsets.Add(at);
                    var next = bytes.AsSpan(at + TraceId.Size).IndexOf(pattern);
                    at = next < 0 ? -1 : at + TraceId.Size + next;
                }
            }

            requests.Add(new EncodedRequest(bytes, [.. offsets], batch.SpanCount));
        }

        return requests;
    }
}
