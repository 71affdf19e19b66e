namespace Ariadne.Storage.IO;

/// <summary>A file opened for positional reads and writes.</summary>
internal interface IStorageFile : IDisposable
{
    string Path { get; }

    long Length { get; }

    void Write(long offset, ReadOnlySpan<byte> data);

    int Read(long offset, Span<byte> buffer);

    /// <summary>Returns only once written data is on stable storage (fsync).</summary>
    void Flush();

    void SetLength(long length);
}
