namespace Ariadne.Analysis.Metrics;

/// <summary>
/// One edge of the service graph with its totals since start: requests, failed requests and the
/// server-side latency histogram (the client's for virtual nodes and databases).
/// </summary>
internal sealed record ServiceGraphEdge(string Client, string Server, string ConnectionType, long Requests, long Failed, Histogram Latency);
