using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Ariadne.Benchmarks.Instrumentation;

/// <summary>
/// What <see cref="Activity.AddTag(string, object?)"/> costs by itself: the only public way to give an
/// activity someone else created (hosting's server activity) an attribute. The first tag is linked in
/// with one compare-and-swap; each later one allocates a node and takes the tag list's lock. A list
/// holding the same seven pairs is what the data costs without the lock.
/// <c>dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- --filter '*ActivityTag*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ActivityTagBenchmarks
{
    private static readonly object Port = 8080;
    private static readonly object Ok = 200;

    [Benchmark(Baseline = true)]
    public Activity NoTags() => new("Microsoft.AspNetCore.Hosting.HttpRequestIn");

    [Benchmark]
    public Activity OneTag()
    {
        var activity = new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn");
        activity.AddTag("http.request.method", "GET");
        return activity;
    }

    [Benchmark]
    public Activity SevenTags()
    {
        var activity = new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn");
        activity.AddTag("http.request.method", "GET");
        activity.AddTag("url.path", "/orders/42");
        activity.AddTag("url.scheme", "http");
        activity.AddTag("server.address", "shop.example.com");
        activity.AddTag("server.port", Port);
        activity.AddTag("http.response.status_code", Ok);
        activity.AddTag("http.route", "/orders/{id}");
        return activity;
    }

    [Benchmark]
    public (Activity, List<KeyValuePair<string, object?>>) SevenPairsInAList() =>
        (new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn"),
        [
            new("http.request.method", "GET"), new("url.path", "/orders/42"), new("url.scheme", "http"),
            new("server.address", "shop.example.com"), new("server.port", Port),
            new("http.response.status_code", Ok), new("http.route", "/orders/{id}"),
        ]);
}
