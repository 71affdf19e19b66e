using Ariadne.Analysis.Metrics;
using Ariadne.Model;

namespace Ariadne.Analysis.Tests.Metrics;

public sealed class ServiceGraphTests
{
    private const long Now = 1_700_000_000_000;
    private const long Wait = 10_000;

    private static ServiceGraph NewGraph(int maxItems = 10_000) =>
        new(new ServiceGraphSettings { Wait = TimeSpan.FromMilliseconds(Wait), MaxItems = maxItems });

    private static string Edge(string client, string server, string connection = "") =>
        $"client=\"{client}\",server=\"{server}\",connection_type=\"{connection}\"";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Observe_ClientAndServerInSeparateBatches_PairIntoOneEdgeInEitherOrder(bool serverFirst)
    {
        var graph = NewGraph();
        var client = new BatchBuilder();
        client.Span(client.Resource("frontend"), BatchBuilder.Trace(1), 0x10, parentId: 0x1, name: "POST /pay", kind: SpanKind.Client, durationNanos: 300_000_000);
        var server = new BatchBuilder();
        server.Span(server.Resource("payments"), BatchBuilder.Trace(1), 0x20, parentId: 0x10, name: "POST /pay", kind: SpanKind.Server, status: StatusCode.Error, durationNanos: 150_000_000);

        graph.Observe(serverFirst ? server.Batch : client.Batch, Now);
        Assert.Equal(1, graph.PendingCount);
        graph.Observe(serverFirst ? client.Batch : server.Batch, Now + 1000);

        var text = Exposition.Write(graph, Now + 2000);
        var edge = Edge("frontend", "payments");
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.RequestsName}{{{edge}}}"));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.FailedName}{{{edge}}}"));
        Assert.Equal(0, Exposition.Value(text, $"{ServiceGraph.ServerSecondsName}_bucket{{{edge},le=\"0.1\"}}"));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.ServerSecondsName}_bucket{{{edge},le=\"0.2\"}}"));
        Assert.Equal(0.15, Exposition.Value(text, $"{ServiceGraph.ServerSecondsName}_sum{{{edge}}}"));
        Assert.Equal(0, Exposition.Value(text, $"{ServiceGraph.ClientSecondsName}_bucket{{{edge},le=\"0.2\"}}"));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.ClientSecondsName}_bucket{{{edge},le=\"0.4\"}}"));
        Assert.Equal(0.3, Exposition.Value(text, $"{ServiceGraph.ClientSecondsName}_sum{{{edge}}}"));
        Assert.Single(Exposition.Samples(text, ServiceGraph.RequestsName));
        Assert.Equal(0, graph.PendingCount);
        Assert.Equal(0, Exposition.Value(text, "ariadne_service_graph_pending_spans"));
    }

    [Fact]
    public void Observe_ManyRequestsInterleavedAcrossBatches_CountsEveryPairOnceAndFailuresFromEitherSide()
    {
        var graph = NewGraph();
        var expected = new Dictionary<(string, string), (int Total, int Failed)>();
        var random = new Random(3);
        string[] services = ["web", "cart", "stock"];
        var batches = new List<BatchBuilder>();
        for (var i = 0; i < 6; i++)
        {
            batches.Add(new BatchBuilder());
        }

        var scopes = batches.Select(b => services.Select(s => b.Resource(s)).ToArray()).ToArray();
        for (var request = 1; request <= 300; request++)
        {
            var client = random.Next(3);
            var server = (client + 1 + random.Next(2)) % 3;
            var clientFails = random.Next(5) == 0;
            var serverFails = random.Next(5) == 0;
            var clientBatch = random.Next(6);
            var serverBatch = random.Next(6);
            var trace = BatchBuilder.Trace((ulong)request);
            batches[clientBatch].Span(scopes[clientBatch][client], trace, (ulong)request * 2, kind: SpanKind.Client, status: clientFails ? StatusCode.Error : StatusCode.Ok);
            batches[serverBatch].Span(scopes[serverBatch][server], trace, ((ulong)request * 2) + 1, parentId: (ulong)request * 2, kind: SpanKind.Server, status: serverFails ? StatusCode.Error : StatusCode.Unset);
            var key = (services[client], services[server]);
            var (total, failed) = expected.GetValueOrDefault(key);
            expected[key] = (total + 1, failed + (clientFails || serverFails ? 1 : 0));
        }

        foreach (var batch in batches)
        {
            graph.Observe(batch.Batch, Now);
        }

        var text = Exposition.Write(graph, Now);
        Assert.Equal(expected.Count, Exposition.Samples(text, ServiceGraph.RequestsName).Count);
        foreach (var ((client, server), (total, failed)) in expected)
        {
            Assert.Equal(total, Exposition.Value(text, $"{ServiceGraph.RequestsName}{{{Edge(client, server)}}}"));
            Assert.Equal(failed, Exposition.Value(text, $"{ServiceGraph.FailedName}{{{Edge(client, server)}}}"));
            Assert.Equal(total, Exposition.Value(text, $"{ServiceGraph.ServerSecondsName}_count{{{Edge(client, server)}}}"));
        }

        Assert.Equal(0, graph.PendingCount);
    }

    [Fact]
    public void Observe_ProducerAndConsumer_PairAsAMessagingSystemEdge()
    {
        var graph = NewGraph();
        var consumer = new BatchBuilder();
        consumer.Span(consumer.Resource("billing"), BatchBuilder.Trace(5), 0x2, parentId: 0x1, kind: SpanKind.Consumer);
        var producer = new BatchBuilder();
        producer.Span(producer.Resource("orders"), BatchBuilder.Trace(5), 0x1, kind: SpanKind.Producer, attributes: [("messaging.destination.name", "order-events")]);
        graph.Observe(consumer.Batch, Now);
        graph.Observe(producer.Batch, Now);

        var text = Exposition.Write(graph, Now + (3 * Wait));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.RequestsName}{{{Edge("orders", "billing", "messaging_system")}}}"));
        Assert.Single(Exposition.Samples(text, ServiceGraph.RequestsName));
    }

    [Fact]
    public void Observe_DatabaseClientSpan_IsAnEdgeToTheDatabaseAtOnce()
    {
        var graph = NewGraph();
        var builder = new BatchBuilder();
        var scope = builder.Resource("orders");
        builder.Span(scope, BatchBuilder.Trace(1), 0x1, kind: SpanKind.Client, durationNanos: 50_000_000, attributes: [("db.system", "postgresql"), ("db.name", "orders_db")]);
        builder.Span(scope, BatchBuilder.Trace(1), 0x2, kind: SpanKind.Client, status: StatusCode.Error, attributes: [("db.system", "redis")]);
        builder.Span(scope, BatchBuilder.Trace(1), 0x3, kind: SpanKind.Client, attributes: [("db.system", "redis"), ("peer.service", "session-cache")]);
        graph.Observe(builder.Batch, Now);

        var text = Exposition.Write(graph, Now);
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.RequestsName}{{{Edge("orders", "orders_db", "database")}}}"));
        Assert.Equal(0.05, Exposition.Value(text, $"{ServiceGraph.ServerSecondsName}_sum{{{Edge("orders", "orders_db", "database")}}}"));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.RequestsName}{{{Edge("orders", "redis", "database")}}}"));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.FailedName}{{{Edge("orders", "redis", "database")}}}"));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.RequestsName}{{{Edge("orders", "session-cache", "database")}}}"));
        Assert.Equal(0, graph.PendingCount);
    }

    [Fact]
    public void Advance_ClientWithPeerServiceNeverAnswered_BecomesAVirtualNodeEdgeOnlyAfterTheWait()
    {
        var graph = NewGraph();
        var builder = new BatchBuilder();
        var scope = builder.Resource("checkout");
        builder.Span(scope, BatchBuilder.Trace(1), 0x1, kind: SpanKind.Client, durationNanos: 700_000_000, attributes: [("peer.service", "fraud-api"), ("server.address", "10.0.0.7")]);
        builder.Span(scope, BatchBuilder.Trace(2), 0x2, kind: SpanKind.Client, attributes: [("server.address", "api.example.com")]);
        builder.Span(scope, BatchBuilder.Trace(3), 0x3, kind: SpanKind.Client, attributes: [("net.peer.name", "legacy.example.com")]);
        graph.Observe(builder.Batch, Now);

        var before = Exposition.Write(graph, Now + Wait - 1);
        Assert.Empty(Exposition.Samples(before, ServiceGraph.RequestsName));
        Assert.Equal(3, graph.PendingCount);

        var after = Exposition.Write(graph, Now + (2 * Wait));
        Assert.Equal(1, Exposition.Value(after, $"{ServiceGraph.RequestsName}{{{Edge("checkout", "fraud-api", "virtual_node")}}}"));
        Assert.Equal(0.7, Exposition.Value(after, $"{ServiceGraph.ClientSecondsName}_sum{{{Edge("checkout", "fraud-api", "virtual_node")}}}"));
        Assert.Equal(1, Exposition.Value(after, $"{ServiceGraph.RequestsName}{{{Edge("checkout", "api.example.com", "virtual_node")}}}"));
        Assert.Equal(1, Exposition.Value(after, $"{ServiceGraph.RequestsName}{{{Edge("checkout", "legacy.example.com", "virtual_node")}}}"));
        Assert.Equal(3, Exposition.Samples(after, ServiceGraph.RequestsName).Count);
        Assert.Empty(Exposition.Samples(after, ServiceGraph.UnpairedName));
        Assert.Equal(0, graph.PendingCount);
    }

    [Fact]
    public void Advance_SidesThatNeverPairAndNameNoPeer_AreCountedUnpairedPerService()
    {
        var graph = NewGraph();
        var builder = new BatchBuilder();
        builder.Span(builder.Resource("web"), BatchBuilder.Trace(1), 0x1, kind: SpanKind.Client);
        builder.Span(builder.Resource("web"), BatchBuilder.Trace(2), 0x2, kind: SpanKind.Client);
        builder.Span(builder.Resource("api"), BatchBuilder.Trace(3), 0x3, parentId: 0x99, kind: SpanKind.Server);
        graph.Observe(builder.Batch, Now);

        var text = Exposition.Write(graph, Now + (2 * Wait));
        Assert.Equal(2, Exposition.Value(text, $"{ServiceGraph.UnpairedName}{{client=\"web\",server=\"\",connection_type=\"\"}}"));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.UnpairedName}{{client=\"\",server=\"api\",connection_type=\"\"}}"));
        Assert.Empty(Exposition.Samples(text, ServiceGraph.RequestsName));
    }

    [Fact]
    public void Observe_PairArrivingAfterBothPeriodsExpired_IsNotPaired()
    {
        var graph = NewGraph();
        var client = new BatchBuilder();
        client.Span(client.Resource("web"), BatchBuilder.Trace(1), 0x1, kind: SpanKind.Client);
        var server = new BatchBuilder();
        server.Span(server.Resource("api"), BatchBuilder.Trace(1), 0x2, parentId: 0x1, kind: SpanKind.Server);
        graph.Observe(client.Batch, Now);
        graph.Observe(server.Batch, Now + (2 * Wait));

        var text = Exposition.Write(graph, Now + (2 * Wait));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.UnpairedName}{{client=\"web\",server=\"\",connection_type=\"\"}}"));
        Assert.Empty(Exposition.Samples(text, ServiceGraph.RequestsName));
        Assert.Equal(1, graph.PendingCount);
    }

    [Fact]
    public void Observe_StoreFull_NewUnpairedSpansAreDroppedAndCounted()
    {
        var graph = NewGraph(maxItems: 2);
        var builder = new BatchBuilder();
        var web = builder.Resource("web");
        var api = builder.Resource("api");
        for (ulong i = 1; i <= 5; i++)
        {
            builder.Span(web, BatchBuilder.Trace(i), i, kind: SpanKind.Client);
        }

        builder.Span(api, BatchBuilder.Trace(9), 9, parentId: 0x77, kind: SpanKind.Server);
        graph.Observe(builder.Batch, Now);

        var text = Exposition.Write(graph, Now);
        Assert.Equal(3, Exposition.Value(text, $"{ServiceGraph.DroppedName}{{client=\"web\",server=\"\",connection_type=\"\"}}"));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.DroppedName}{{client=\"\",server=\"api\",connection_type=\"\"}}"));
        Assert.Equal(2, graph.PendingCount);
    }

    [Fact]
    public void Advance_ChildWhoseParentNeverArrives_IsAnOrphanOfItsService()
    {
        var graph = NewGraph();
        var first = new BatchBuilder();
        var worker = first.Resource("worker");
        var web = first.Resource("web");
        first.Span(worker, BatchBuilder.Trace(1), 0x2, parentId: 0x1);            // parent 0x1 arrives in the next batch
        first.Span(web, BatchBuilder.Trace(2), 0x10);                             // root
        first.Span(web, BatchBuilder.Trace(2), 0x11, parentId: 0x10);             // parent seen before
        first.Span(worker, BatchBuilder.Trace(3), 0x21, parentId: 0x20);          // orphan
        first.Span(worker, BatchBuilder.Trace(3), 0x22, parentId: 0x20);          // orphan, same lost parent
        first.Span(web, BatchBuilder.Trace(4), 0x31, parentId: 0x30);             // orphan
        graph.Observe(first.Batch, Now);
        var second = new BatchBuilder();
        second.Span(second.Resource("worker"), BatchBuilder.Trace(1), 0x1);
        second.Span(second.Resource("web"), BatchBuilder.Trace(2), 0x12, parentId: 0x11);
        graph.Observe(second.Batch, Now + (Wait / 2));
        var third = new BatchBuilder();
        third.Span(third.Resource("web"), BatchBuilder.Trace(3), 0x20, parentId: 0x40); // arrives too late, and is itself an orphan
        graph.Observe(third.Batch, Now + (2 * Wait) + 1);

        var text = Exposition.Write(graph, Now + (2 * Wait) + 1);
        Assert.Equal(2, Exposition.Value(text, $"{ServiceGraph.OrphansName}{{service_name=\"worker\"}}"));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.OrphansName}{{service_name=\"web\"}}"));

        var later = Exposition.Write(graph, Now + (4 * Wait) + 1);
        Assert.Equal(2, Exposition.Value(later, $"{ServiceGraph.OrphansName}{{service_name=\"web\"}}"));
        Assert.Equal(0, Exposition.Value(later, "ariadne_orphan_untracked_spans_total"));
    }

    [Fact]
    public void Advance_OrphanTrackingOverItsLimit_CountsUntrackedInsteadOfOrphans()
    {
        var graph = new ServiceGraph(new ServiceGraphSettings { Wait = TimeSpan.FromMilliseconds(Wait), MaxTrackedSpans = 2 });
        var builder = new BatchBuilder();
        var scope = builder.Resource("web");
        for (ulong i = 1; i <= 4; i++)
        {
            builder.Span(scope, BatchBuilder.Trace(i), i, parentId: 100 + i);
        }

        graph.Observe(builder.Batch, Now);

        var text = Exposition.Write(graph, Now + (2 * Wait));
        Assert.Empty(Exposition.Samples(text, ServiceGraph.OrphansName));
        Assert.Equal(4, Exposition.Value(text, "ariadne_orphan_untracked_spans_total"));
    }

    [Fact]
    public void Dependencies_EdgesAtDifferentTimes_OnlyThoseInTheWindowAreCounted()
    {
        var graph = NewGraph();
        var builder = new BatchBuilder();
        var web = builder.Resource("web");
        var baseMillis = (long)(BatchBuilder.BaseTimeUnixNano / 1_000_000);
        const ulong Minute = 60_000_000_000;

        // Database calls (recorded at once), at 0, 0, 5 and 30 minutes after the base time.
        foreach (var (minutes, db) in new[] { (0UL, "orders_db"), (0UL, "orders_db"), (5UL, "orders_db"), (30UL, "cache") })
        {
            builder.Span(web, BatchBuilder.Trace(minutes + 1), (minutes * 10) + (ulong)db.Length + (ulong)builder.Batch.SpanCount, kind: SpanKind.Client,
                startOffsetNanos: minutes * Minute, attributes: [("db.system", db)]);
        }

        graph.Observe(builder.Batch, baseMillis + (31 * 60_000));

        Assert.Equal([("web", "cache", 1L), ("web", "orders_db", 3L)], graph.Dependencies(baseMillis + (31 * 60_000), 60 * 60_000));
        Assert.Equal([("web", "orders_db", 1L)], graph.Dependencies(baseMillis + (10 * 60_000), 6 * 60_000));
        Assert.Equal([("web", "orders_db", 2L)], graph.Dependencies(baseMillis + 30_000, 60_000));
        Assert.Empty(graph.Dependencies(baseMillis - (10 * 60_000), 60_000));
    }

    [Fact]
    public void Dependencies_OlderThanTheRetention_AreNotKept()
    {
        var graph = new ServiceGraph(new ServiceGraphSettings { DependencyRetention = TimeSpan.FromMinutes(10) });
        var builder = new BatchBuilder();
        builder.Span(builder.Resource("web"), BatchBuilder.Trace(1), 1, kind: SpanKind.Client, attributes: [("db.system", "pg")]);
        var baseMillis = (long)(BatchBuilder.BaseTimeUnixNano / 1_000_000);
        graph.Observe(builder.Batch, baseMillis + (20 * 60_000));

        Assert.Empty(graph.Dependencies(baseMillis + (20 * 60_000), 24 * 3_600_000));
        var text = Exposition.Write(graph, baseMillis + (20 * 60_000));
        Assert.Equal(1, Exposition.Value(text, $"{ServiceGraph.RequestsName}{{{Edge("web", "pg", "database")}}}"));
    }
}
