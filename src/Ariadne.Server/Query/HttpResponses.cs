using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query;

internal static class HttpResponses
{
    public static Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(output))
        {
            write(writer);
        }

        return WriteAsync(context, status, "application/json", output);
    }

    public static async Task WriteAsync(HttpContext context, int status, string contentType, ArrayBufferWriter<byte> output)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = output.WrittenCount;
        await response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }

    public static Task WriteTextAsync(HttpContext context, int status, string text)
    {
        var output = new ArrayBufferWriter<byte>(text.Length + 2);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text + "\n");
        output.Write(bytes);
        return WriteAsync(context, status, "text/plain; charset=utf-8", output);
    }

    /// <summary>503 with <c>Retry-After: 1</c> as plain text, while the store replays its ingest log.</summary>
    public static Task WriteStorageStartingAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, "storage is starting");
    }
}
