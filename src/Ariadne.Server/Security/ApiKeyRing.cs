using System.Security.Cryptography;
using System.Text;
using Ariadne.Server.Configuration;

namespace Ariadne.Server.Security;

/// <summary>
/// The keys of one side (ingest or query). A presented key is hashed and compared with every
/// configured hash with <see cref="CryptographicOperations.FixedTimeEquals"/>, without stopping at the
/// first match: equal-length hashes and a full pass leave no timing signal about which key or which
/// prefix matched.
/// </summary>
internal sealed class ApiKeyRing
{
    private readonly ApiKey[] _keys;

    public ApiKeyRing(IReadOnlyList<ApiKeyOptions> keys)
    {
        _keys = new ApiKey[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            _keys[i] = new ApiKey(Hash(keys[i].Key), keys[i].Tenant, i);
        }
    }

    /// <summary>No keys: this side is open.</summary>
    public bool IsOpen => _keys.Length == 0;

    public ApiKey? Find(ReadOnlySpan<char> presented)
    {
        if (presented.IsEmpty || presented.Length > 4096)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var maxBytes = Encoding.UTF8.GetMaxByteCount(presented.Length);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var length = Encoding.UTF8.GetBytes(presented, rented);
            SHA256.HashData(rented.AsSpan(0, length), hash);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }

        return FindByHash(hash);
    }

    /// <summary>The key whose hash a UI session recorded, if it is still configured.</summary>
    public ApiKey? FindByHash(ReadOnlySpan<byte> hash)
    {
        ApiKey? match = null;
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash) && match is null)
            {
                match = key;
            }
        }

        return match;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
