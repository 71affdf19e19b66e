namespace Ariadne.Pipeline.Processors;

/// <summary>What one processor did, for <c>/metrics</c>.</summary>
internal sealed class ProcessorCounters
{
    private long _dropped;
    private long _modified;

    public ProcessorCounters(string processor) => Processor = processor;

    public string Processor { get; }

    /// <summary>Spans the processor dropped (acknowledged to the client, not stored).</summary>
    public long DroppedSpans => Interlocked.Read(ref _dropped);

    /// <summary>Spans the processor changed (truncated, redacted…).</summary>
    public long ModifiedSpans => Interlocked.Read(ref _modified);

    public void Add(long dropped, long modified)
    {
        Interlocked.Add(ref _dropped, dropped);
        Interlocked.Add(ref _modified, modified);
    }
}
