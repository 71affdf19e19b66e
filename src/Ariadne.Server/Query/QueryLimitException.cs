namespace Ariadne.Server.Query;

/// <summary>A search or metrics query asks for more than its tenant's limits allow (time range or result limit): a 400.</summary>
internal sealed class QueryLimitException : Exception
{
    public QueryLimitException()
    {
    }

    public QueryLimitException(string message)
        : base(message)
    {
    }

    public QueryLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
