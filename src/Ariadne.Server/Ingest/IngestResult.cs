namespace Ariadne.Server.Ingest;

/// <summary>What a receiver tells its client: stored spans, rejected spans and why.</summary>
internal readonly record struct IngestResult(IngestOutcome Outcome, int AcceptedSpans, int RejectedSpans, string? ErrorMessage)
{
    public static IngestResult Unavailable(string message) => new(IngestOutcome.Unavailable, 0, 0, message);

    public static IngestResult RateLimited(int spans, TimeSpan retryAfter, string message) =>
        new(IngestOutcome.RateLimited, 0, spans, message) { RetryAfter = retryAfter };

    /// <summary>For <see cref="IngestOutcome.RateLimited"/>: when the same request would be admitted.</summary>
    public TimeSpan RetryAfter { get; init; }

    /// <summary><see cref="RetryAfter"/> in whole seconds, at least 1, for HTTP's Retry-After.</summary>
    public string RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
