using System.Buffers;
using System.Globalization;
using System.Text;
using Ariadne.Server.Ingest;
using Ariadne.Server.Query;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Health;

/// <summary>Self-telemetry in the Prometheus text exposition format.</summary>
internal sealed class MetricsEndpoint
{
    private readonly Security.AuthMetrics _auth;
    private readonly Tenancy.TenantQuotas _quotas;
    private readonly ReceiverMetrics _receivers;
    private readonly StoreProvider _stores;
    private readonly PipelineRouter _pipelines;
    private readonly TailSamplingStages _tailSampling;
    private readonly Export.ExporterHub _exporters;
    private readonly Analysis.Metrics.SpanAnalyzer _analysis;

    public MetricsEndpoint(Tenancy.TenantQuotas quotas, Security.AuthMetrics auth, ReceiverMetrics receivers, StoreProvider stores, PipelineRouter pipelines, TailSamplingStages tailSampling, Export.ExporterHub exporters, Analysis.Metrics.SpanAnalyzer analysis)
    {
        _quotas = quotas;
        _auth = auth;
        _analysis = analysis;
        _exporters = exporters;
        _tailSampling = tailSampling;
        _receivers = receivers;
        _stores = stores;
        _pipelines = pipelines;
    }

    public Task WriteAsync(HttpContext context)
    {
        var text = new StringBuilder(1024);
        Counter(text, "ariadne_receiver_accepted_spans_total", "Spans acknowledged to clients (durable).");
        foreach (var receiver in _receivers.All)
        {
            Sample(text, "ariadne_receiver_accepted_spans_total", receiver.Receiver, receiver.AcceptedSpans);
        }

        Counter(text, "ariadne_receiver_refused_spans_total", "Spans clients were told were not stored.");
        foreach (var receiver in _receivers.All)
        {
            Sample(text, "ariadne_receiver_refused_spans_total", receiver.Receiver, receiver.RefusedSpans);
        }

        Counter(text, "ariadne_receiver_refused_requests_total", "Requests refused before their body was read (storage starting, memory over the limit).");
        foreach (var receiver in _receivers.All)
        {
            Sample(text, "ariadne_receiver_refused_requests_total", receiver.Receiver, receiver.RefusedRequests);
        }

        Counter(text, "ariadne_processor_dropped_spans_total", "Spans a processor dropped (received and acknowledged, not stored).");
        foreach (var pipeline in _pipelines.Pipelines)
        {
            foreach (var processor in pipeline.Counters)
            {
                ProcessorSample(text, "ariadne_processor_dropped_spans_total", pipeline.Id, processor.Processor, processor.DroppedSpans);
            }
        }

        Counter(text, "ariadne_processor_modified_spans_total", "Spans a processor changed (truncated, redacted, ...).");
        foreach (var pipeline in _pipelines.Pipelines)
        {
            foreach (var processor in pipeline.Counters)
            {
                ProcessorSample(text, "ariadne_processor_modified_spans_total", pipeline.Id, processor.Processor, processor.ModifiedSpans);
            }
        }

        Counter(text, "ariadne_auth_refused_requests_total", "Requests refused by the key or tenant check, before their body was read.");
        foreach (var (listener, reason, count) in _auth.Refused)
        {
            text.Append("ariadne_auth_refused_requests_total{listener=\"").Append(listener).Append("\",reason=\"").Append(Security.AuthMetrics.Label(reason)).Append("\"} ")
                .Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Counter(text, "ariadne_discarded_spans_total", "Spans refused or dropped by a tenant's limits (rate_limited, trace_too_large, live_traces_exceeded).");
        foreach (var (tenant, reason, spans) in _quotas.Discarded)
        {
            text.Append("ariadne_discarded_spans_total{reason=\"").Append(reason).Append("\",tenant=\"").Append(tenant).Append("\"} ")
                .Append(spans.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        WriteTailSampling(text);
        WriteExporters(text);
        if (_stores.Store is { } store)
        {
            var stats = store.Statistics;
            Gauge(text, "ariadne_storage_spans", "Spans held by the store.", stats.SpansStored);
            Gauge(text, "ariadne_storage_traces", "Traces held by the store.", stats.TracesStored);
            Gauge(text, "ariadne_ingest_log_bytes", "Bytes in ingest log segments.", stats.LogBytes);
            Counter(text, "ariadne_ingest_log_fsyncs_total", "Group-commit fsyncs of the ingest log.");
            text.Append("ariadne_ingest_log_fsyncs_total ").Append(stats.FsyncCount.ToString(CultureInfo.InvariantCulture)).Append('\n');
            Counter(text, "ariadne_ingest_log_written_bytes_total", "Bytes appended to the ingest log since the server started.");
            text.Append("ariadne_ingest_log_written_bytes_total ").Append(stats.LogWrittenBytes.ToString(CultureInfo.InvariantCulture)).Append('\n');
            if (stats.FsyncLatency is { } latency)
            {
                Histogram(text, "ariadne_ingest_log_fsync_duration_seconds", "How long each group commit's fsync took.", latency);
            }

            Gauge(text, "ariadne_ingest_log_torn_records_truncated", "Torn records truncated when the log was opened.", stats.TornRecordsTruncated);
            Gauge(text, "ariadne_storage_head_spans", "Spans not yet written into a block.", stats.HeadSpans);
            Gauge(text, "ariadne_storage_blocks", "Blocks being served.", stats.Blocks);
            Gauge(text, "ariadne_storage_block_bytes", "Bytes of the blocks being served.", stats.BlockBytes);
            Gauge(text, "ariadne_storage_blocks_quarantined", "Blocks moved aside because a check failed.", stats.BlocksQuarantined);
        }

        Gauge(text, "ariadne_ready", "1 once the ingest log has been replayed.", _stores.IsReady ? 1 : 0);
        WriteProcess(text);
        var openMetrics = OpenMetricsExposition.IsAccepted(context.Request.Headers.Accept);
        _analysis.WriteTo(text, openMetrics);
        var output = new ArrayBufferWriter<byte>(text.Length);
        output.Write(Encoding.UTF8.GetBytes(openMetrics ? OpenMetricsExposition.FromPrometheusText(text) : text.ToString()));
        return HttpResponses.WriteAsync(context, StatusCodes.Status200OK, openMetrics ? OpenMetricsExposition.ContentType : "text/plain; version=0.0.4; charset=utf-8", output);
    }

    /// <summary>Per tail sampler: decisions per policy and overall (the Collector's metric names), and what is buffered.</summary>
    private void WriteTailSampling(StringBuilder text)
    {
        var stages = _tailSampling.All;
        if (stages.Count == 0)
        {
            return;
        }

        Counter(text, "ariadne_processor_tail_sampling_count_traces_sampled_total", "Traces each policy said to sample (sampled=true) or not (sampled=false).");
        foreach (var stage in stages)
        {
            foreach (var policy in stage.Sampler.Counters)
            {
                var labels = $"pipeline=\"{stage.Pipeline.Id}\",processor=\"{stage.Sampler.Id}\",policy=\"{policy.Policy}\"";
                Labelled(text, "ariadne_processor_tail_sampling_count_traces_sampled_total", labels + ",sampled=\"true\"", policy.Sampled);
                Labelled(text, "ariadne_processor_tail_sampling_count_traces_sampled_total", labels + ",sampled=\"false\"", policy.NotSampled);
            }
        }

        Counter(text, "ariadne_processor_tail_sampling_global_count_traces_sampled_total", "Final decisions: traces kept (sampled=true) and not (sampled=false).");
        foreach (var stage in stages)
        {
            var labels = $"pipeline=\"{stage.Pipeline.Id}\",processor=\"{stage.Sampler.Id}\"";
            Labelled(text, "ariadne_processor_tail_sampling_global_count_traces_sampled_total", labels + ",sampled=\"true\"", stage.Sampler.TracesSampled);
            Labelled(text, "ariadne_processor_tail_sampling_global_count_traces_sampled_total", labels + ",sampled=\"false\"", stage.Sampler.TracesNotSampled);
        }

        (string Name, string Help, bool Counter, Func<TailSamplingStage, double> Value)[] series =
        [
            ("ariadne_processor_tail_sampling_late_spans_total", "Spans that arrived after their trace was decided and followed the decision.", true, t => t.Sampler.LateSpans),
            ("ariadne_processor_tail_sampling_early_decisions_total", "Traces decided before decision_wait because num_traces was reached.", true, t => t.Sampler.DecidedEarly),
            ("ariadne_processor_tail_sampling_unreadable_records_total", "Buffered records found damaged on disk when their traces were decided.", true, t => t.Buffer.UnreadableRecords),
            ("ariadne_processor_tail_sampling_buffered_traces", "Undecided traces held by the tail sampler.", false, t => t.Buffer.TraceCount),
            ("ariadne_processor_tail_sampling_buffered_spans", "Spans of undecided traces, kept on disk.", false, t => t.Buffer.SpanCount),
            ("ariadne_processor_tail_sampling_buffer_bytes", "Bytes of the tail sampler's log on disk.", false, t => t.Buffer.SizeBytes),
        ];
        WriteSeries(text, series, stages, stage => $"pipeline=\"{stage.Pipeline.Id}\",processor=\"{stage.Sampler.Id}\"");
    }

    /// <summary>Per queued exporter (and load-balancing backend): delivered and given-up spans, retries, and the queue.</summary>
    private void WriteExporters(StringBuilder text)
    {
        var exporters = _exporters.Queued.ToList();
        if (exporters.Count == 0)
        {
            return;
        }

        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        (string Name, string Help, bool Counter, Func<Export.QueuedExporter, double> Value)[] series =
        [
            ("ariadne_exporter_sent_spans_total", "Spans the backend acknowledged.", true, e => e.SentSpans),
            ("ariadne_exporter_send_failed_spans_total", "Spans given up: refused for good by the backend, or past max_elapsed_time.", true, e => e.FailedSpans),
            ("ariadne_exporter_retries_total", "Delivery attempts that will be retried.", true, e => e.Retries),
            ("ariadne_exporter_requests_total", "Requests the backend acknowledged.", true, e => e.Requests),
            ("ariadne_exporter_queue_size", "Batches waiting in the persistent queue.", false, e => e.Queue.Count),
            ("ariadne_exporter_queue_spans", "Spans waiting in the persistent queue.", false, e => e.Queue.SpanCount),
            ("ariadne_exporter_queue_bytes", "Bytes of the persistent queue on disk.", false, e => e.Queue.SizeBytes),
            ("ariadne_exporter_queue_oldest_age_seconds", "How long the oldest waiting batch has waited (0: none waits).", false,
                e => e.Queue.OldestArrivalUnixMilliseconds is { } oldest ? Math.Max(0, now - oldest) / 1000.0 : 0),
        ];
        WriteSeries(text, series, exporters, exporter => $"exporter=\"{exporter.Id}\",endpoint=\"{exporter.Settings.Endpoint.Authority}\"");
    }

    /// <summary>Each series (a counter or a gauge) with one sample per item, labelled as <paramref name="labels"/> says.</summary>
    private static void WriteSeries<T>(StringBuilder text, (string Name, string Help, bool Counter, Func<T, double> Value)[] series, IEnumerable<T> items, Func<T, string> labels)
    {
        foreach (var (name, help, counter, value) in series)
        {
            if (counter)
            {
                Counter(text, name, help);
            }
            else
            {
                GaugeHeader(text, name, help);
            }

            foreach (var item in items)
            {
                Labelled(text, name, labels(item), value(item));
            }
        }
    }

    /// <summary>The process's memory, CPU and garbage collector, with the names Prometheus clients use.</summary>
    private static void WriteProcess(StringBuilder text)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        Gauge(text, "process_resident_memory_bytes", "Resident memory size in bytes.", process.WorkingSet64);
        Counter(text, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
        text.Append("process_cpu_seconds_total ").Append(process.TotalProcessorTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
        var gc = GC.GetGCMemoryInfo();
        Gauge(text, "dotnet_gc_heap_size_bytes", "Managed heap size after the last collection.", gc.HeapSizeBytes);
        Gauge(text, "dotnet_gc_fragmented_bytes", "Free space inside the managed heap after the last collection.", gc.FragmentedBytes);
        Gauge(text, "dotnet_gc_committed_bytes", "Memory the garbage collector has committed.", gc.TotalCommittedBytes);
        Counter(text, "dotnet_gc_collections_total", "Garbage collections by generation.");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            text.Append("dotnet_gc_collections_total{generation=\"").Append(generation).Append("\"} ")
                .Append(GC.CollectionCount(generation).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static void Counter(StringBuilder text, string name, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(" counter\n");

    private static void Sample(StringBuilder text, string name, string receiver, long value) =>
        text.Append(name).Append("{receiver=\"").Append(receiver).Append("\"} ")
            .Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void ProcessorSample(StringBuilder text, string name, string pipeline, string processor, long value) =>
        text.Append(name).Append("{pipeline=\"").Append(pipeline).Append("\",processor=\"").Append(processor).Append("\"} ")
            .Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void Histogram(StringBuilder text, string name, string help, Storage.Log.LatencyHistogram histogram)
    {
        var (cumulative, sum) = histogram.Snapshot();
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(" histogram\n");
        var bounds = Storage.Log.LatencyHistogram.Bounds;
        for (var i = 0; i < bounds.Length; i++)
        {
            text.Append(name).Append("_bucket{le=\"").Append(bounds[i].ToString(CultureInfo.InvariantCulture)).Append("\"} ")
                .Append(cumulative[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        text.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(cumulative[^1].ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(name).Append("_sum ").Append(sum.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(name).Append("_count ").Append(cumulative[^1].ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Labelled(StringBuilder text, string name, string labels, double value) =>
        text.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void GaugeHeader(StringBuilder text, string name, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(" gauge\n");

    private static void Gauge(StringBuilder text, string name, string help, long value) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(" gauge\n")
            .Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
