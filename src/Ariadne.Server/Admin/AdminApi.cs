using Ariadne.Server.Ingest;
using Ariadne.Server.Query;
using Ariadne.Storage;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Admin;

/// <summary>Operator endpoints on the query port.</summary>
internal sealed class AdminApi
{
    private readonly Tenancy.TenantStores _stores;

    public AdminApi(Tenancy.TenantStores stores) => _stores = stores;

    /// <summary><c>POST /api/admin/flush</c>: cut everything in the head into a block now (as Tempo's /flush).</summary>
    public async Task FlushAsync(HttpContext context)
    {
        if (_stores.For(Tenancy.RequestTenant.From(context)).Store is not { } store)
        {
            context.Response.Headers.RetryAfter = "1";
            await HttpResponses.WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, "storage is not ready");
            return;
        }

        try
        {
            var meta = await store.FlushAsync(context.RequestAborted);
            await HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
            {
                writer.WriteStartObject();
                if (meta is null)
                {
                    writer.WriteNull("blockId");
                    writer.WriteNumber("spans", 0);
                }
                else
                {
                    writer.WriteString("blockId", meta.BlockId.ToString("N"));
                    writer.WriteNumber("spans", meta.SpanCount);
                    writer.WriteNumber("traces", meta.TraceCount);
                    writer.WriteNumber("bytes", meta.DataBytes + meta.IndexBytes + meta.BloomBytes);
                }

                writer.WriteEndObject();
            });
        }
        catch (StorageUnavailableException e)
        {
            context.Response.Headers.RetryAfter = "5";
            await HttpResponses.WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, $"flush failed: {e.Message}");
        }
    }
}
