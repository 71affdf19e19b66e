using Ariadne.Model;

namespace Ariadne.TraceQL.Fetch;

/// <summary>
/// Spans as columns, for metrics over many spans: a fetcher that can offer them lets the metrics
/// engine skip assembling traces when the query's filter needs nothing else. The conditions are
/// applied exactly (all of them; only span name, status, kind, duration and service equality are asked for), and only
/// spans starting in [start, end) are yielded.
/// </summary>
internal interface ISpanColumnFetcher
{
    /// <param name="request">Time range and conditions (all-of).</param>
    /// <param name="names">Whether span names are needed.</param>
    /// <param name="services">Whether services (resource service.name) are needed.</param>
    /// <param name="cancellationToken">Stops the fetch.</param>
    IAsyncEnumerable<SpanColumns> FetchSpanColumnsAsync(FetchSpansRequest request, bool names, bool services, CancellationToken cancellationToken);
}

/// <summary>One chunk of spans as columns; valid until the enumeration moves on.</summary>
internal readonly record struct SpanColumns(int Count, ulong[] Starts, ulong[] Durations, byte[] KindStatus, string[] Names, string[] Services, TraceId[] TraceIds, SpanId[] SpanIds);
