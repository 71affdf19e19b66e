namespace Ariadne.Web.Services;

/// <summary>One edge over a window: requests and failures, the request rate, and the p95 latency in seconds.</summary>
internal sealed record ServiceGraphWindowEdge(string Client, string Server, string ConnectionType, long Requests, long Failed, double RatePerSecond, double P95Seconds)
{
    public double ErrorRate => Requests == 0 ? 0 : (double)Failed / Requests;
}
