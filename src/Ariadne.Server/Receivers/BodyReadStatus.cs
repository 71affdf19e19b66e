namespace Ariadne.Server.Receivers;

internal enum BodyReadStatus
{
    Ok,

    /// <summary>The body, after decompression, is larger than the limit.</summary>
    TooLarge,

    /// <summary>The body claims a content coding it is not in (e.g. gzip that is not gzip).</summary>
    BadEncoding,

    /// <summary>A content coding Ariadne does not accept.</summary>
    UnsupportedEncoding,
}
