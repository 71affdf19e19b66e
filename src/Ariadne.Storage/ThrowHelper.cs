using System.Diagnostics.CodeAnalysis;

namespace Ariadne.Storage;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowUnavailable(string message) => throw new StorageUnavailableException(message);

    [DoesNotReturn]
    public static void ThrowUnavailable(string message, Exception innerException) =>
        throw new StorageUnavailableException(message, innerException);

    [DoesNotReturn]
    public static void ThrowIO(string message) => throw new IOException(message);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, string message) => throw new ArgumentOutOfRangeException(paramName, message);

    [DoesNotReturn]
    public static void ThrowIO(string message, int hresult) => throw new IOException(message, hresult);
}
