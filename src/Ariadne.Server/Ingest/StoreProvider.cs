using Ariadne.Storage;

namespace Ariadne.Server.Ingest;

/// <summary>
/// Holds the span store once it has been opened. The server listens before the ingest log has been
/// replayed, answering "not ready" until then, so a large log does not make the process look dead.
/// </summary>
internal sealed class StoreProvider
{
    private readonly TaskCompletionSource<SpanStore> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SpanStore? Store { get; private set; }

    public bool IsReady => Store is not null;

    public Exception? OpenFailure { get; private set; }

    public Task<SpanStore> Opened => _opened.Task;

    /// <summary>
    /// Waits for the store; null when it could not be opened (the storage service has logged why).
    /// Throws only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<SpanStore?> WaitOpenedAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Opened.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    public void SetOpened(SpanStore store)
    {
        Store = store;
        _opened.TrySetResult(store);
    }

    public void SetFailed(Exception failure)
    {
        OpenFailure = failure;
        _opened.TrySetException(failure);
    }
}
