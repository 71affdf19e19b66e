using Ariadne.Storage.IO;

namespace Ariadne.Storage.Tests.IO;

/// <summary>Turns one of the device's faults on or off by the name a test case gives it.</summary>
internal static class FaultSwitch
{
    public static void Set(FaultInjectingDevice device, string fault, bool on)
    {
        switch (fault)
        {
            case "short write":
                device.ShortWrites = on;
                break;
            case "fsync":
                device.FailFsync = on;
                break;
            case "disk full":
                device.DiskFull = on;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, "unknown fault");
        }
    }
}
