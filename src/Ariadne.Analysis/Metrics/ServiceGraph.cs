using System.Text;
using Ariadne.Model;

namespace Ariadne.Analysis.Metrics;

/// <summary>
/// Requests between services, as Grafana Tempo's service-graph processor records them: a client span
/// and the server span whose parent it is (or a producer and its consumer) form an edge, whichever
/// arrives first and in whatever batch. An unpaired side waits in a bounded store for one to two wait
/// periods; a client span that never pairs becomes an edge to a virtual node named from its attributes
/// (<see cref="PeerAttributes"/>), and database calls are recorded at once. Also counts orphan spans
/// (<see cref="OrphanTracker"/>) and keeps per-minute calls for <c>/api/dependencies</c>.
/// Thread-safe: one lock per batch.
/// </summary>
internal sealed class ServiceGraph
{
    public const string RequestsName = "traces_service_graph_request_total";
    public const string FailedName = "traces_service_graph_request_failed_total";
    public const string ServerSecondsName = "traces_service_graph_request_server_seconds";
    public const string ClientSecondsName = "traces_service_graph_request_client_seconds";
    public const string UnpairedName = "traces_service_graph_unpaired_spans_total";
    public const string DroppedName = "traces_service_graph_dropped_spans_total";
    public const string OrphansName = "ariadne_orphan_spans_total";

    private static readonly string[] ConnectionLabels = [string.Empty, "virtual_node", "messaging_system", "database"];

    private readonly Lock _gate = new();
    private readonly ServiceGraphSettings _settings;
    private readonly HistogramLayout _layout;
    private readonly long _waitMillis;
    private readonly Utf8Interner _names;
    private readonly SeriesIndex _index = new();
    private readonly List<Edge> _edges = [];
    private readonly OrphanTracker _orphans;
    private readonly DependencyHistory _dependencies;
    private SpanFingerprintMap<PendingEdge> _pending = new();
    private SpanFingerprintMap<PendingEdge> _pendingPrevious = new();
    private Edge? _overflow;
    private long _periodStart = long.MinValue;
    private long _now;
    private int[] _resourceServices = new int[64];

    // Per node id: unpaired and dropped client-side and server-side spans.
    private long[] _unpairedClient = new long[16];
    private long[] _unpairedServer = new long[16];
    private long[] _droppedClient = new long[16];
    private long[] _droppedServer = new long[16];

    public ServiceGraph(ServiceGraphSettings settings)
    {
        _settings = settings;
        _layout = new HistogramLayout(settings.HistogramBuckets);
        _waitMillis = Math.Max(1, (long)settings.Wait.TotalMilliseconds);
        _names = new Utf8Interner((settings.MaxEdges * 2) + 1024);
        _orphans = new OrphanTracker(settings.MaxTrackedSpans);
        _dependencies = new DependencyHistory(settings.DependencyRetention);
    }

    public ServiceGraphSettings Settings => _settings;

    /// <summary>Unpaired spans waiting for their other side.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count + _pendingPrevious.Count;
            }
        }
    }

    public void Observe(SpanBatch batch, long nowUnixMillis)
    {
        lock (_gate)
        {
            AdvanceLocked(nowUnixMillis);
            if (batch.SpanCount == 0)
            {
                return;
            }

            PrepareServices(batch);
            var scopes = batch.Scopes.Rows;
            foreach (ref readonly var span in batch.Spans.Rows)
            {
                var service = _resourceServices[scopes[span.ScopeIndex].ResourceIndex];

                // Each span is hashed twice, its own id and its parent's, for every table below.
                var self = SpanFingerprint.Of(span.TraceId, span.SpanId);
                var parent = span.ParentSpanId.IsValid ? SpanFingerprint.Of(span.TraceId, span.ParentSpanId) : SpanFingerprint.Empty;
                _orphans.Observe(service, self, parent);
                switch (span.Kind)
                {
                    case SpanKind.Client or SpanKind.Producer:
                        ObserveClient(batch, span, service, self);
                        break;
                    case SpanKind.Server or SpanKind.Consumer when parent != SpanFingerprint.Empty:
                        ObserveServer(span, service, parent);
                        break;
                    default:
                        break;
                }
            }
        }
    }

    /// <summary>Expires what has waited long enough; called on every batch and before every read.</summary>
    public void Advance(long nowUnixMillis)
    {
        lock (_gate)
        {
            AdvanceLocked(nowUnixMillis);
        }
    }

    private void AdvanceLocked(long now)
    {
        _now = Math.Max(_now, now);
        if (_periodStart == long.MinValue)
        {
            _periodStart = now;
            return;
        }

        // Two rotations expire everything that waits, so more would do nothing: the loop ends after two.
        for (var rotations = 0; rotations < 2 && now - _periodStart >= _waitMillis; rotations++)
        {
            Rotate();
            _periodStart += _waitMillis;
        }

        if (now - _periodStart >= _waitMillis)
        {
            _periodStart = now;
        }
    }

    private void Rotate()
    {
        _pendingPrevious.ForEach(this, static (graph, pending) => graph.Expire(pending));

        _pendingPrevious.Clear();
        (_pending, _pendingPrevious) = (_pendingPrevious, _pending);
        _orphans.Rotate();
    }

    private void ObserveClient(SpanBatch batch, in SpanRow span, int service, ulong key)
    {
        var messaging = span.Kind == SpanKind.Producer;
        var virtualPeer = -1;
        if (PeerAttributes.TryFind(batch, span, out var peer, out var isDatabase))
        {
            virtualPeer = _names.Intern(batch.Utf8(peer));
            if (isDatabase && !messaging)
            {
                // A database has no server span to wait for.
                var nanos = span.DurationNanos;
                Record(service, virtualPeer, ConnectionType.Database, nanos, nanos, span.StatusCode == StatusCode.Error, span.StartTimeUnixNano);
                return;
            }
        }

        var failed = span.StatusCode == StatusCode.Error;
        if (Take(key, out var other) && !other.IsClientSide)
        {
            Record(service, other.Service, messaging || other.IsMessaging ? ConnectionType.MessagingSystem : ConnectionType.Direct,
                span.DurationNanos, other.DurationNanos, failed || other.Failed, span.StartTimeUnixNano);
            return;
        }

        Hold(key, new PendingEdge(true, messaging, service, virtualPeer, span.DurationNanos, failed, span.StartTimeUnixNano));
    }

    private void ObserveServer(in SpanRow span, int service, ulong key)
    {
        var failed = span.StatusCode == StatusCode.Error;
        var messaging = span.Kind == SpanKind.Consumer;
        if (Take(key, out var other) && other.IsClientSide)
        {
            Record(other.Service, service, messaging || other.IsMessaging ? ConnectionType.MessagingSystem : ConnectionType.Direct,
                other.DurationNanos, span.DurationNanos, failed || other.Failed, other.StartTimeUnixNano);
            return;
        }

        Hold(key, new PendingEdge(false, messaging, service, -1, span.DurationNanos, failed, span.StartTimeUnixNano));
    }

    private bool Take(ulong key, out PendingEdge pending) =>
        _pending.Remove(key, out pending) || _pendingPrevious.Remove(key, out pending);

    private void Hold(ulong key, PendingEdge pending)
    {
        if (_pending.Count + _pendingPrevious.Count >= _settings.MaxItems)
        {
            Increment(ref pending.IsClientSide ? ref _droppedClient : ref _droppedServer, pending.Service);
            return;
        }

        _pending.Set(key, pending);
    }

    private void Expire(in PendingEdge pending)
    {
        if (pending.IsClientSide && pending.VirtualPeer != -1)
        {
            // The server never reported: the request went to something uninstrumented, named by the client.
            Record(pending.Service, pending.VirtualPeer, pending.IsMessaging ? ConnectionType.MessagingSystem : ConnectionType.VirtualNode,
                pending.DurationNanos, pending.DurationNanos, pending.Failed, pending.StartTimeUnixNano);
            return;
        }

        Increment(ref pending.IsClientSide ? ref _unpairedClient : ref _unpairedServer, pending.Service);
    }

    private void Record(int client, int server, ConnectionType connection, ulong clientNanos, ulong serverNanos, bool failed, ulong startUnixNano)
    {
        Edge edge;
        if (client < 0 || server < 0)
        {
            edge = _overflow ??= NewEdge("otel_metric_overflow=\"true\"", string.Empty, string.Empty, string.Empty);
        }
        else
        {
            Span<int> key = [client, server, (int)connection];
            var id = _index.Find(key);
            if (id >= 0)
            {
                edge = _edges[id];
            }
            else if (_edges.Count >= _settings.MaxEdges)
            {
                edge = _overflow ??= NewEdge("otel_metric_overflow=\"true\"", string.Empty, string.Empty, string.Empty);
            }
            else
            {
                _index.Add(key);
                edge = NewEdge(new StringBuilder(96)
                    .AppendLabel("client", _names[client]).Append(',')
                    .AppendLabel("server", _names[server]).Append(',')
                    .AppendLabel("connection_type", ConnectionLabels[(int)connection]).ToString(), _names[client], _names[server], ConnectionLabels[(int)connection]);
                _edges.Add(edge);
            }

            _dependencies.Add(client, server, (long)(startUnixNano / 1_000_000), _now);
        }

        edge.Requests++;
        if (failed)
        {
            edge.Failed++;
        }

        edge.Server.Record(serverNanos);
        edge.Client.Record(clientNanos);
    }

    private Edge NewEdge(string labels, string client, string server, string connectionType) =>
        new(labels, new Histogram(_layout, exemplars: false), new Histogram(_layout, exemplars: false)) { ClientNode = client, ServerNode = server, ConnectionType = connectionType };

    /// <summary>Every edge's totals since start (not the overflow edge, which names no nodes), for views that draw the graph.</summary>
    public List<ServiceGraphEdge> Edges(long nowUnixMillis)
    {
        lock (_gate)
        {
            AdvanceLocked(nowUnixMillis);
            var result = new List<ServiceGraphEdge>(_edges.Count);
            foreach (var edge in _edges)
            {
                result.Add(new ServiceGraphEdge(edge.ClientNode, edge.ServerNode, edge.ConnectionType, edge.Requests, edge.Failed, edge.Server.Snapshot()));
            }

            return result;
        }
    }

    private void PrepareServices(SpanBatch batch)
    {
        var resources = batch.Resources.Rows;
        if (_resourceServices.Length < resources.Length)
        {
            _resourceServices = new int[resources.Length * 2];
        }

        for (var r = 0; r < resources.Length; r++)
        {
            _resourceServices[r] = _names.Intern(
                batch.TryGetString(resources[r].Attributes, "service.name"u8, out var service) ? batch.Utf8(service) : default);
        }
    }

    private static void Increment(ref long[] counts, int node)
    {
        if (node < 0)
        {
            return;
        }

        if (node >= counts.Length)
        {
            Array.Resize(ref counts, Math.Max(node + 1, counts.Length * 2));
        }

        counts[node]++;
    }

    /// <summary>Calls per (client, server) in the window, by node name.</summary>
    public List<(string Parent, string Child, long CallCount)> Dependencies(long endUnixMillis, long lookbackMillis)
    {
        lock (_gate)
        {
            var found = _dependencies.Query(endUnixMillis, lookbackMillis);
            var result = new List<(string, string, long)>(found.Count);
            foreach (var ((client, server), count) in found)
            {
                result.Add((_names[client], _names[server], count));
            }

            result.Sort(static (a, b) => a.CompareTo(b));
            return result;
        }
    }

    public void WriteTo(StringBuilder text, bool openMetrics, long nowUnixMillis)
    {
        List<(string Labels, long Requests, long Failed, Histogram Server, Histogram Client)> edges;
        List<NodeCounts> nodes;
        long pending, untracked;
        lock (_gate)
        {
            AdvanceLocked(nowUnixMillis);
            edges = new(_edges.Count + 1);
            foreach (var edge in _edges)
            {
                edges.Add((edge.Labels, edge.Requests, edge.Failed, edge.Server.Snapshot(), edge.Client.Snapshot()));
            }

            if (_overflow is { } overflow)
            {
                edges.Add((overflow.Labels, overflow.Requests, overflow.Failed, overflow.Server.Snapshot(), overflow.Client.Snapshot()));
            }

            nodes = [];
            for (var node = 0; node < _names.Count; node++)
            {
                var counts = new NodeCounts(_names[node], Get(_unpairedClient, node), Get(_unpairedServer, node), Get(_droppedClient, node), Get(_droppedServer, node), _orphans.OrphansOf(node));
                if (counts.UnpairedClient + counts.UnpairedServer + counts.DroppedClient + counts.DroppedServer + counts.Orphans > 0)
                {
                    nodes.Add(counts);
                }
            }

            pending = _pending.Count + _pendingPrevious.Count;
            untracked = _orphans.Untracked;
        }

        PrometheusText.Header(text, RequestsName, "counter", "Requests between two nodes (client and server spans paired, or a client span to a virtual node).");
        foreach (var edge in edges)
        {
            text.Append(RequestsName).Append('{').Append(edge.Labels).Append("} ").AppendValue(edge.Requests).Append('\n');
        }

        PrometheusText.Header(text, FailedName, "counter", "Requests between two nodes where the client or the server span has status error.");
        foreach (var edge in edges)
        {
            text.Append(FailedName).Append('{').Append(edge.Labels).Append("} ").AppendValue(edge.Failed).Append('\n');
        }

        PrometheusText.Header(text, ServerSecondsName, "histogram", "Request durations as the server span measured them (the client's, for virtual nodes and databases).");
        foreach (var edge in edges)
        {
            PrometheusText.Histogram(text, ServerSecondsName, edge.Labels, edge.Server, openMetrics);
        }

        PrometheusText.Header(text, ClientSecondsName, "histogram", "Request durations as the client span measured them.");
        foreach (var edge in edges)
        {
            PrometheusText.Histogram(text, ClientSecondsName, edge.Labels, edge.Client, openMetrics);
        }

        WriteNodeCounter(text, UnpairedName, "Spans whose other side did not arrive within the wait and that name no peer.", nodes, static n => (n.UnpairedClient, n.UnpairedServer));
        WriteNodeCounter(text, DroppedName, "Spans not held for pairing because the store of unpaired spans was full.", nodes, static n => (n.DroppedClient, n.DroppedServer));
        PrometheusText.Header(text, OrphansName, "counter", "Spans whose parent did not arrive within the wait (context lost at an async boundary, or a parent never exported).");
        foreach (var node in nodes)
        {
            if (node.Orphans > 0)
            {
                text.Append(OrphansName).Append('{').AppendLabel("service_name", node.Node).Append("} ").AppendValue(node.Orphans).Append('\n');
            }
        }

        PrometheusText.Header(text, "ariadne_orphan_untracked_spans_total", "counter", "Spans orphan detection could not judge because its bounded memory was full.");
        text.Append("ariadne_orphan_untracked_spans_total ").AppendValue(untracked).Append('\n');
        PrometheusText.Header(text, "ariadne_service_graph_pending_spans", "gauge", "Unpaired client and server spans waiting for their other side.");
        text.Append("ariadne_service_graph_pending_spans ").AppendValue(pending).Append('\n');
    }

    private static void WriteNodeCounter(StringBuilder text, string name, string help, List<NodeCounts> nodes, Func<NodeCounts, (long Client, long Server)> counts)
    {
        PrometheusText.Header(text, name, "counter", help);
        foreach (var node in nodes)
        {
            var (client, server) = counts(node);
            var nodeName = node.Node;
            if (client > 0)
            {
                text.Append(name).Append('{').AppendLabel("client", nodeName).Append(",server=\"\",connection_type=\"\"} ").AppendValue(client).Append('\n');
            }

            if (server > 0)
            {
                text.Append(name).Append("{client=\"\",").AppendLabel("server", nodeName).Append(",connection_type=\"\"} ").AppendValue(server).Append('\n');
            }
        }
    }

    private static long Get(long[] counts, int node) => node < counts.Length ? counts[node] : 0;

    private readonly record struct NodeCounts(string Node, long UnpairedClient, long UnpairedServer, long DroppedClient, long DroppedServer, long Orphans);

    private sealed class Edge(string labels, Histogram server, Histogram client)
    {
        public string Labels { get; } = labels;

        public long Requests { get; set; }

        public long Failed { get; set; }

        public Histogram Server { get; } = server;

        public Histogram Client { get; } = client;

        public string ClientNode { get; init; } = string.Empty;

        public string ServerNode { get; init; } = string.Empty;

        public string ConnectionType { get; init; } = string.Empty;
    }
}
