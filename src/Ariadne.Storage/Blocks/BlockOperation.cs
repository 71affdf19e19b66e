namespace Ariadne.Storage.Blocks;

/// <summary>A (service, span name, span kind) combination present in a block, for Jaeger's operations lists.</summary>
internal sealed record BlockOperation(string Service, string Name, string Kind);
