namespace Ariadne.Server.Ingest;

/// <summary>What a receiver tells its client: stored spans, rejected spans and why.</summary>
internal readonly record struct IngestResult(IngestOutcome Outcome, int AcceptedSpans, int RejectedSpans, string? ErrorMessage)
{
    public static IngestResult Unavailable(string message) => new(IngestOutcome.Unavailable, 0, 0, message);
}
