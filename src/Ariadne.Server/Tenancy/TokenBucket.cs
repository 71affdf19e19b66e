namespace Ariadne.Server.Tenancy;

/// <summary>
/// A token bucket holding one second's worth of its rate. A request larger than the whole bucket is
/// let through when the bucket is full (leaving it in debt), so a big batch is slowed, never refused forever.
/// Not thread-safe: its owner locks.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double _rate;
    private double _tokens;
    private long _updated;

    public TokenBucket(double ratePerSecond, long now)
    {
        _rate = ratePerSecond;
        _tokens = ratePerSecond;
        _updated = now;
    }

    /// <summary>Zero when <paramref name="amount"/> may pass now, otherwise how long until it may.</summary>
    public TimeSpan Wait(double amount, long now, TimeProvider time)
    {
        _tokens = Math.Min(_rate, _tokens + (time.GetElapsedTime(_updated, now).TotalSeconds * _rate));
        _updated = now;
        if (_tokens >= amount || _tokens >= _rate)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds((Math.Min(amount, _rate) - _tokens) / _rate);
    }

    public void Take(double amount) => _tokens -= amount;
}
