using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ariadne.Instrumentation.Tests;

/// <summary>Context through message headers, channels, SQL text and log scopes, observed with a real ActivityListener.</summary>
public sealed class MessagingAndSqlTests : IDisposable
{
    private readonly ActivitySource _source = new("Ariadne.Instrumentation.Tests." + Guid.NewGuid().ToString("N"));
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _ended = new();

    public MessagingAndSqlTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s == _source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ended.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _source.Dispose();
    }

    [Fact]
    public void ProducerAndConsumer_ShareTheTraceThroughHeaders_OrLinkToIt()
    {
        var headers = new Dictionary<string, string>();
        Activity producer;
        using (producer = Messaging.StartProducer(_source, "kafka", "orders", headers)!)
        {
            producer.TraceStateString = "vendor=1";
        }

        Assert.Equal(ActivityKind.Producer, producer.Kind);
        Assert.Equal("send orders", producer.DisplayName);
        Assert.Equal("kafka", producer.GetTagItem("messaging.system"));
        Assert.Equal("orders", producer.GetTagItem("messaging.destination.name"));
        Assert.Equal($"00-{producer.TraceId}-{producer.SpanId}-01", headers["traceparent"]);

        using (var child = Messaging.StartConsumer(_source, "kafka", "orders", headers)!)
        {
            Assert.Equal(producer.TraceId, child.TraceId);
            Assert.Equal(producer.SpanId, child.ParentSpanId);
            Assert.Equal("process", child.GetTagItem("messaging.operation.type"));
        }

        using (var linked = Messaging.StartConsumer(_source, "kafka", "orders", headers, continueTrace: false)!)
        {
            Assert.NotEqual(producer.TraceId, linked.TraceId);
            Assert.Equal(producer.SpanId, Assert.Single(linked.Links).Context.SpanId);
        }

        var other = new Dictionary<string, string>();
        using (Messaging.StartProducer(_source, "kafka", "orders", other))
        {
        }

        using var batch = Messaging.StartBatchConsumer(_source, "kafka", "orders", [headers, other, new Dictionary<string, string> { ["traceparent"] = "garbage" }])!;
        Assert.Equal(2, batch.Links.Count());
        Assert.Equal(3, batch.GetTagItem("messaging.batch.message_count"));
    }

    [Fact]
    public async Task ChannelHandOver_ContinuesTheProducersTrace()
    {
        var channel = Channel.CreateUnbounded<Traced<int>>();
        Activity request;
        using (request = _source.StartActivity("handle request")!)
        {
            await channel.Writer.WriteAsync(Traced<int>.Capture(42));
        }

        // A background worker, where Activity.Current does not flow.
        var worker = Task.Run(async () =>
        {
            var item = await channel.Reader.ReadAsync();
            using var work = item.StartActivity(_source, "process item")!;
            return (item.Value, work.TraceId, work.ParentSpanId);
        });
        var (value, traceId, parent) = await worker;
        Assert.Equal(42, value);
        Assert.Equal(request.TraceId, traceId);
        Assert.Equal(request.SpanId, parent);
    }

    [Fact]
    public void SqlComment_IsAppended_AndTheStatementStillRuns()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var activity = _source.StartActivity("query")!;
        activity.TraceStateString = "congo=t61rcWkgMzE";
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 40 + 2";
        command.AddTraceContextComment();
        Assert.Equal($"SELECT 40 + 2 /*traceparent='00-{activity.TraceId}-{activity.SpanId}-01',tracestate='congo%3Dt61rcWkgMzE'*/", command.CommandText);
        Assert.Equal(42L, command.ExecuteScalar());

        // Not twice, and not without a context.
        command.AddTraceContextComment();
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(command.CommandText, "traceparent"));
        activity.Stop();
        using var plain = connection.CreateCommand();
        plain.CommandText = "SELECT 1";
        plain.AddTraceContextComment();
        Assert.Equal("SELECT 1", plain.CommandText);
    }

    [Fact]
    public void LogCorrelation_EveryEntryScopeCarriesTraceAndSpanIds()
    {
        var captured = new CapturingProvider();
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddAriadneLogCorrelation(jsonConsole: false).AddProvider(captured))
            .BuildServiceProvider();
        var logger = services.GetRequiredService<ILogger<MessagingAndSqlTests>>();
        using var activity = _source.StartActivity("work")!;
        logger.LogInformation("inside");

        var scope = Assert.Single(captured.Scopes);
        Assert.Equal(activity.TraceId.ToHexString(), scope["TraceId"]);
        Assert.Equal(activity.SpanId.ToHexString(), scope["SpanId"]);
    }

    private sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public ConcurrentQueue<Dictionary<string, string?>> Scopes { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = new Dictionary<string, string?>();
                provider._scopes?.ForEachScope(
                    (scope, into) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                        {
                            foreach (var (key, value) in pairs)
                            {
                                into[key] = value?.ToString();
                            }
                        }
                    },
                    values);
                provider.Scopes.Enqueue(values);
            }
        }
    }
}
