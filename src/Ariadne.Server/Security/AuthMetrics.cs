using System.Collections.Concurrent;

namespace Ariadne.Server.Security;

/// <summary>Requests refused by authentication or tenant checks, per listener and reason. No key text is ever recorded.</summary>
internal sealed class AuthMetrics
{
    private readonly ConcurrentDictionary<(string Listener, AccessRefusal Reason), StrongBox> _refused = new();

    public void Refuse(string listener, AccessRefusal reason) =>
        Interlocked.Increment(ref _refused.GetOrAdd((listener, reason), static _ => new StrongBox()).Value);

    public IEnumerable<(string Listener, AccessRefusal Reason, long Count)> Refused
    {
        get
        {
            foreach (var (key, box) in _refused)
            {
                yield return (key.Listener, key.Reason, Interlocked.Read(ref box.Value));
            }
        }
    }

    public static string Label(AccessRefusal reason) => reason switch
    {
        AccessRefusal.MissingKey => "missing_key",
        AccessRefusal.InvalidKey => "invalid_key",
        AccessRefusal.MissingTenant => "missing_tenant",
        AccessRefusal.InvalidTenant => "invalid_tenant",
        _ => "tenant_mismatch",
    };

    private sealed class StrongBox
    {
        public long Value;
    }
}
