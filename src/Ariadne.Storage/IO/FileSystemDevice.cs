using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ariadne.Storage.IO;

/// <summary>The real file system, with fsync through <see cref="RandomAccess.FlushToDisk"/>.</summary>
internal sealed partial class FileSystemDevice : IStorageDevice
{
    public static FileSystemDevice Instance { get; } = new();

    public IStorageFile OpenOrCreate(string path) => new File(path);

    public bool FileExists(string path) => System.IO.File.Exists(path);

    public void DeleteFile(string path) => System.IO.File.Delete(path);

    public IReadOnlyList<string> ListFiles(string directory, string pattern)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var files = Directory.GetFiles(directory, pattern);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public IReadOnlyList<string> ListDirectories(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var folders = Directory.GetDirectories(directory);
        Array.Sort(folders, StringComparer.Ordinal);
        return folders;
    }

    public void DeleteDirectory(string path) => Directory.Delete(path, recursive: true);

    public void Move(string from, string to)
    {
        if (Directory.Exists(from))
        {
            Directory.Move(from, to);
        }
        else
        {
            System.IO.File.Move(from, to, overwrite: true);
        }
    }

    public byte[] ReadAllBytes(string path) => System.IO.File.ReadAllBytes(path);

    public void SyncDirectory(string path)
    {
        // A new segment's directory entry must be durable too, or a crash can lose the whole file.
        // .NET cannot open a directory, so this goes to libc; elsewhere the OS journals metadata.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = NativeMethods.Open(path, NativeMethods.ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {path} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (NativeMethods.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    private sealed class File : IStorageFile
    {
        private readonly SafeFileHandle _handle;

        public File(string path)
        {
            Path = path;
            _handle = System.IO.File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        }

        public string Path { get; }

        public long Length => RandomAccess.GetLength(_handle);

        public void Write(long offset, ReadOnlySpan<byte> data) => RandomAccess.Write(_handle, data, offset);

        public int Read(long offset, Span<byte> buffer) => RandomAccess.Read(_handle, buffer, offset);

        public void Flush() => RandomAccess.FlushToDisk(_handle);

        public void SetLength(long length) => RandomAccess.SetLength(_handle, length);

        public void Dispose() => _handle.Dispose();
    }

    private static partial class NativeMethods
    {
        // O_RDONLY | O_DIRECTORY on Linux.
        public const int ReadOnlyDirectory = 0x10000;

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
