using Ariadne.Model;

namespace Ariadne.TraceQL.Fetch;

/// <summary>
/// Where the engine gets spans from, whatever the store (Tempo's SpansetFetcher). Each yielded batch
/// holds whole traces: every span of a yielded trace is in the same batch, a trace is yielded at most
/// once and a span at most once. Conditions are hints: a fetcher may yield traces that do not match
/// (the engine evaluates exactly), but must not skip a trace that could.
/// </summary>
internal interface ISpansetFetcher
{
    IAsyncEnumerable<SpanBatch> FetchAsync(FetchSpansRequest request, CancellationToken cancellationToken);
}
