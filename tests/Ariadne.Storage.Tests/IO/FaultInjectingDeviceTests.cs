using Ariadne.Storage.IO;

namespace Ariadne.Storage.Tests.IO;

public class FaultInjectingDeviceTests
{
    private const int DiskFullErrno = 28;

    [Fact]
    public void Write_ShortWrites_WritesHalfThenThrows()
    {
        using var dir = new TempDirectory();
        var device = new FaultInjectingDevice(FileSystemDevice.Instance) { ShortWrites = true };
        using var file = device.OpenOrCreate(Path.Combine(dir.Path, "f"));
        Assert.Throws<IOException>(() => file.Write(0, new byte[100]));
        Assert.Equal(50, file.Length);
        Assert.Equal(1, device.FaultsInjected);
    }

    [Fact]
    public void Write_DiskFull_ThrowsEnospcAndWritesNothing()
    {
        using var dir = new TempDirectory();
        var device = new FaultInjectingDevice(FileSystemDevice.Instance) { DiskFull = true };
        using var file = device.OpenOrCreate(Path.Combine(dir.Path, "f"));
        var error = Assert.Throws<IOException>(() => file.Write(0, new byte[100]));
        Assert.Equal(DiskFullErrno, error.HResult);
        Assert.Equal(0, file.Length);
    }

    [Fact]
    public void Flush_FailFsync_ThrowsUntilCleared()
    {
        using var dir = new TempDirectory();
        var device = new FaultInjectingDevice(FileSystemDevice.Instance) { FailFsync = true };
        using var file = device.OpenOrCreate(Path.Combine(dir.Path, "f"));
        file.Write(0, [1, 2, 3]);
        Assert.Throws<IOException>(file.Flush);
        Assert.Throws<IOException>(() => device.SyncDirectory(dir.Path));
        device.FailFsync = false;
        file.Flush();
        device.SyncDirectory(dir.Path);
        Assert.Equal(2, device.FaultsInjected);
    }

    [Fact]
    public void Write_FaultCleared_WritesEverything()
    {
        using var dir = new TempDirectory();
        var device = new FaultInjectingDevice(FileSystemDevice.Instance) { ShortWrites = true, DiskFull = true };
        using var file = device.OpenOrCreate(Path.Combine(dir.Path, "f"));
        Assert.Throws<IOException>(() => file.Write(0, new byte[10]));
        device.ShortWrites = false;
        device.DiskFull = false;
        file.Write(0, new byte[10]);
        Assert.Equal(10, file.Length);
    }
}
