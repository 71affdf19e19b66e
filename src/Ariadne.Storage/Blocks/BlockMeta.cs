namespace Ariadne.Storage.Blocks;

/// <summary>
/// A block's <c>meta.json</c>, written last: a block folder without it is unfinished and never read.
/// It carries what lets a search skip the block without opening it.
/// </summary>
internal sealed record BlockMeta
{
    public required int FormatVersion { get; init; }

    public required Guid BlockId { get; init; }

    public required string Tenant { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required ulong MinStartTimeUnixNano { get; init; }

    public required ulong MaxEndTimeUnixNano { get; init; }

    public required long SpanCount { get; init; }

    public required long TraceCount { get; init; }

    public required int PageCount { get; init; }

    public required string Codec { get; init; }

    public required long DataBytes { get; init; }

    public required long IndexBytes { get; init; }

    public required long BloomBytes { get; init; }

    /// <summary>Uncompressed page payload bytes, to report the compression ratio.</summary>
    public required long UncompressedBytes { get; init; }

    public required IReadOnlyList<string> Services { get; init; }

    public required IReadOnlyList<string> SpanNames { get; init; }

    public required IReadOnlyList<string> AttributeKeys { get; init; }

    /// <summary>Keys of resource attributes (capped like the other lists); absent in blocks written before it existed.</summary>
    public IReadOnlyList<string> ResourceAttributeKeys { get; init; } = [];

    /// <summary>Service, span name and kind combinations (capped); absent in blocks written before it existed.</summary>
    public IReadOnlyList<BlockOperation> Operations { get; init; } = [];
}
