using Ariadne.Storage.IO;

namespace Ariadne.Storage.Tests.IO;

public class FileSystemDeviceTests
{
    [Fact]
    public void WriteReadTruncate_AtOffsets_BehaveAsAFile()
    {
        using var dir = new TempDirectory();
        var device = FileSystemDevice.Instance;
        var path = Path.Combine(dir.Path, "f");
        using (var file = device.OpenOrCreate(path))
        {
            file.Write(0, [1, 2, 3, 4]);
            file.Write(4, [5, 6]);
            file.Flush();
            Assert.Equal(6, file.Length);
            var buffer = new byte[3];
            Assert.Equal(3, file.Read(2, buffer));
            Assert.Equal(new byte[] { 3, 4, 5 }, buffer);
            file.SetLength(2);
            Assert.Equal(2, file.Length);
        }

        Assert.Equal(new byte[] { 1, 2 }, device.ReadAllBytes(path));
        using var reopened = device.OpenOrCreate(path);
        Assert.Equal(2, reopened.Length);
    }

    [Fact]
    public void ListFiles_ReturnsMatchesInOrdinalOrder()
    {
        using var dir = new TempDirectory();
        var device = FileSystemDevice.Instance;
        foreach (var name in new[] { "00000000000000000010.wal", "00000000000000000002.wal", "note.txt" })
        {
            device.OpenOrCreate(Path.Combine(dir.Path, name)).Dispose();
        }

        var files = device.ListFiles(dir.Path, "*.wal");
        Assert.Equal(["00000000000000000002.wal", "00000000000000000010.wal"], files.Select(Path.GetFileName));
        Assert.Empty(device.ListFiles(Path.Combine(dir.Path, "missing"), "*.wal"));
    }

    [Fact]
    public void DeleteFileAndSyncDirectory_RemoveTheFileDurably()
    {
        using var dir = new TempDirectory();
        var device = FileSystemDevice.Instance;
        var path = Path.Combine(dir.Path, "f");
        device.OpenOrCreate(path).Dispose();
        device.SyncDirectory(dir.Path);
        Assert.True(device.FileExists(path));
        device.DeleteFile(path);
        device.SyncDirectory(dir.Path);
        Assert.False(device.FileExists(path));
    }

    [Fact]
    public void SyncDirectory_MissingDirectory_FailsWhereDirectoriesAreSynced()
    {
        using var dir = new TempDirectory();
        var missing = Path.Combine(dir.Path, "missing");
        var error = Record.Exception(() => FileSystemDevice.Instance.SyncDirectory(missing));
        if (OperatingSystem.IsLinux())
        {
            Assert.IsType<IOException>(error);
        }
        else
        {
            Assert.Null(error);
        }
    }
}
