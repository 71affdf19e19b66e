using Ariadne.Model;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// A string of some batch's heap used as a dictionary key without turning it into a .NET string:
/// block building meets the same few hundred strings on every span, and allocating each one again
/// was most of the writer's allocation.
/// </summary>
internal readonly struct Utf8Key : IEquatable<Utf8Key>
{
    private readonly SpanBatch _batch;
    private readonly Utf8Ref _value;
    private readonly int _hash;

    public Utf8Key(SpanBatch batch, Utf8Ref value)
    {
        _batch = batch;
        _value = value;
        var hash = new HashCode();
        hash.AddBytes(batch.Utf8(value));
        _hash = hash.ToHashCode();
    }

    public ReadOnlySpan<byte> Bytes => _batch.Utf8(_value);

    public bool Equals(Utf8Key other) => _hash == other._hash && Bytes.SequenceEqual(other.Bytes);

    public override bool Equals(object? obj) => obj is Utf8Key other && Equals(other);

    public override int GetHashCode() => _hash;

    public override string ToString() => _batch.GetString(_value);
}
