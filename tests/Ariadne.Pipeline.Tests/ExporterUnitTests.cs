using Ariadne.Model;
using Ariadne.Pipeline.Exporters;

namespace Ariadne.Pipeline.Tests;

public class ExporterUnitTests
{
    [Fact]
    public void TraceIdRing_SpreadsTraces_AndMovesOnlyTheRemovedBackendsShare()
    {
        var three = new TraceIdRing(["a:4317", "b:4317", "c:4317"]);
        var two = new TraceIdRing(["a:4317", "b:4317"]);
        var counts = new int[3];
        var moved = 0;
        for (var i = 0; i < 30_000; i++)
        {
            var id = new TraceId((ulong)i * 0x9E3779B97F4A7C15, (ulong)i);
            var before = three.BackendOf(id);
            counts[before]++;
            Assert.Equal(before, three.BackendOf(id));
            if (before != 2 && two.BackendOf(id) != before)
            {
                moved++;
            }
        }

        Assert.All(counts, c => Assert.InRange(c, 7_000, 13_000));
        Assert.Equal(0, moved); // traces of a and b stay where they were when c goes
    }

    [Fact]
    public void DebugExporter_ALinePerBatch_AndPerSpanWhenDetailed()
    {
        var batch = new SpanBatch();
        var service = batch.Attributes.Add(new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString("api"))));
        var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(service, 1) });
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource });
        batch.Spans.Add(new SpanRow { TraceId = new TraceId(1, 2), SpanId = new SpanId(3), ScopeIndex = scope, Name = batch.AddString("GET /"), StartTimeUnixNano = 0, EndTimeUnixNano = 2_500_000 });

        var basic = new StringWriter();
        new DebugExporter(new DebugExporterSettings("debug", Detailed: false), basic).Export(batch);
        Assert.Equal("debug: 1 spans, 1 resources\n", basic.ToString());

        var detailed = new StringWriter();
        new DebugExporter(new DebugExporterSettings("debug/all", Detailed: true), detailed).Export(batch);
        Assert.Equal("debug/all: 1 spans, 1 resources\n  00000000000000010000000000000002 0000000000000003 api \"GET /\" Unspecified Unset 2.5 ms\n", detailed.ToString());
    }
}
