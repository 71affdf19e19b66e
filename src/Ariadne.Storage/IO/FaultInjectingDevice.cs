namespace Ariadne.Storage.IO;

/// <summary>
/// Wraps a device and fails on demand, the way disks and file systems fail: writes that land only in
/// part, fsyncs that report an error, a full disk. Faults can be switched on and off while running,
/// so a test can watch storage refuse work during a fault and recover after it.
/// </summary>
internal sealed class FaultInjectingDevice : IStorageDevice
{
    private const int DiskFullHResult = 28; // ENOSPC, as .NET reports it on Unix

    private readonly IStorageDevice _inner;

    public FaultInjectingDevice(IStorageDevice inner) => _inner = inner;

    /// <summary>The next writes write half their bytes, then fail.</summary>
    public bool ShortWrites { get; set; }

    /// <summary>Every fsync fails (after the data may or may not have reached the disk).</summary>
    public bool FailFsync { get; set; }

    /// <summary>Every write fails with "no space left on device", writing nothing.</summary>
    public bool DiskFull { get; set; }

    public int FaultsInjected { get; private set; }

    public IStorageFile OpenOrCreate(string path) => new FaultyFile(this, _inner.OpenOrCreate(path));

    public bool FileExists(string path) => _inner.FileExists(path);

    public void DeleteFile(string path) => _inner.DeleteFile(path);

    public IReadOnlyList<string> ListFiles(string directory, string pattern) => _inner.ListFiles(directory, pattern);

    public void CreateDirectory(string path) => _inner.CreateDirectory(path);

    public IReadOnlyList<string> ListDirectories(string directory) => _inner.ListDirectories(directory);

    public void DeleteDirectory(string path) => _inner.DeleteDirectory(path);

    public void Move(string from, string to)
    {
        if (DiskFull)
        {
            FaultsInjected++;
            throw new IOException("injected fault: No space left on device", DiskFullHResult);
        }

        _inner.Move(from, to);
    }

    public byte[] ReadAllBytes(string path) => _inner.ReadAllBytes(path);

    public void SyncDirectory(string path)
    {
        if (FailFsync)
        {
            FaultsInjected++;
            throw new IOException("injected fault: directory fsync failed");
        }

        _inner.SyncDirectory(path);
    }

    private sealed class FaultyFile : IStorageFile
    {
        private readonly FaultInjectingDevice _device;
        private readonly IStorageFile _inner;

        public FaultyFile(FaultInjectingDevice device, IStorageFile inner)
        {
            _device = device;
            _inner = inner;
        }

        public string Path => _inner.Path;

        public long Length => _inner.Length;

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            if (_device.DiskFull)
            {
                _device.FaultsInjected++;
                throw new IOException("injected fault: No space left on device", DiskFullHResult);
            }

            if (_device.ShortWrites && data.Length > 1)
            {
                _device.FaultsInjected++;
                _inner.Write(offset, data[..(data.Length / 2)]);
                throw new IOException("injected fault: short write");
            }

            _inner.Write(offset, data);
        }

        public int Read(long offset, Span<byte> buffer) => _inner.Read(offset, buffer);

        public void Flush()
        {
            if (_device.FailFsync)
            {
                _device.FaultsInjected++;
                throw new IOException("injected fault: fsync failed");
            }

            _inner.Flush();
        }

        public void SetLength(long length) => _inner.SetLength(length);

        public void Dispose() => _inner.Dispose();
    }
}
