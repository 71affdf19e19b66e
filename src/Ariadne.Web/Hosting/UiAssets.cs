using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Ariadne.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ariadne.Web.Hosting;

/// <summary>
/// Serves the UI's stylesheet, scripts and the framework's blazor.web.js from resources embedded in this
/// assembly, with a content hash as ETag, so the UI works from any working directory and needs no files.
/// </summary>
internal static class UiAssets
{
    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    public static void Map(IEndpointRouteBuilder app, ListenerPortMetadata port)
    {
        app.MapGet("/_framework/blazor.web.js", context => ServeAsync(context, "blazor.web.js")).WithMetadata(port);
        app.MapGet("/ui/{name}", context => ServeAsync(context, context.Request.RouteValues["name"] as string ?? string.Empty)).WithMetadata(port);
    }

    private static Task ServeAsync(HttpContext context, string name)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("ui/", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource["ui/".Length..];
            var contentType = Path.GetExtension(name) switch
            {
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
            assets[name] = new Asset(content, contentType, etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
