namespace Ariadne.Server.Ingest;

internal enum IngestOutcome
{
    /// <summary>Every valid span is durable; some may have been rejected individually.</summary>
    Accepted,

    /// <summary>Nothing was stored because storage cannot make data durable now; the client should retry.</summary>
    Unavailable,

    /// <summary>Nothing was stored because the tenant is over its ingestion rate; the client should retry after a while.</summary>
    RateLimited,
}
