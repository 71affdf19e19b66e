using Ariadne.Storage.IO;

namespace Ariadne.Storage.Tests.Log;

/// <summary>A device whose fsync fails with an exception no I/O path expects, to prove nothing hangs on it.</summary>
internal sealed class ThrowingDevice : IStorageDevice
{
    private readonly IStorageDevice _inner;

    public ThrowingDevice(IStorageDevice inner) => _inner = inner;

    public bool Throw { get; set; }

    public IStorageFile OpenOrCreate(string path) => new ThrowingFile(this, _inner.OpenOrCreate(path));

    public bool FileExists(string path) => _inner.FileExists(path);

    public void DeleteFile(string path) => _inner.DeleteFile(path);

    public IReadOnlyList<string> ListFiles(string directory, string pattern) => _inner.ListFiles(directory, pattern);

    public void CreateDirectory(string path) => _inner.CreateDirectory(path);

    public IReadOnlyList<string> ListDirectories(string directory) => _inner.ListDirectories(directory);

    public void DeleteDirectory(string path) => _inner.DeleteDirectory(path);

    public void Move(string from, string to) => _inner.Move(from, to);

    public byte[] ReadAllBytes(string path) => _inner.ReadAllBytes(path);

    public void SyncDirectory(string path) => _inner.SyncDirectory(path);

    private sealed class ThrowingFile(ThrowingDevice device, IStorageFile inner) : IStorageFile
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public void Write(long offset, ReadOnlySpan<byte> data) => inner.Write(offset, data);

        public int Read(long offset, Span<byte> buffer) => inner.Read(offset, buffer);

        public void Flush()
        {
            if (device.Throw)
            {
                throw new InvalidOperationException("unexpected failure");
            }

            inner.Flush();
        }

        public void SetLength(long length) => inner.SetLength(length);

        public void Dispose() => inner.Dispose();
    }
}
