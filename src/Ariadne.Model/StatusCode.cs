namespace Ariadne.Model;

/// <summary>OTLP <c>Status.StatusCode</c>, with its wire values.</summary>
internal enum StatusCode : byte
{
    Unset = 0,
    Ok = 1,
    Error = 2,
}
