using System.Diagnostics.CodeAnalysis;

namespace Ariadne.Model;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);
}
