using Ariadne.Model;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// Merges blocks into one by walking them side by side in trace-id order (each is sorted by trace
/// id), one decoded page per input at a time. A trace found in several inputs is joined; a span
/// (trace id + span id) found more than once is written once, the first input's copy winning.
/// Memory is a page per input plus the output page, whatever the blocks' sizes.
/// </summary>
internal static class BlockMerger
{
    /// <summary>How many traces are merged between two looks at <c>pauseWhile</c>.</summary>
    public const int TracesBetweenPauseChecks = 256;

    /// <summary>How long a paused merge sleeps before it looks again.</summary>
    public static readonly TimeSpan PausePollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Merges <paramref name="inputs"/> into <paramref name="output"/>. While <paramref name="pauseWhile"/>
    /// answers true (it is asked every <see cref="TracesBetweenPauseChecks"/> traces) the merge sleeps
    /// instead: it holds no lock and its output is not yet visible, so it can wait for as long as more
    /// urgent work needs the CPU.
    /// </summary>
    public static void Merge(IReadOnlyList<BlockReaderV1> inputs, BlockWriterV1 output, Func<bool>? pauseWhile, CancellationToken cancellationToken)
    {
        var cursors = new List<PageCursor>(inputs.Count);
        foreach (var input in inputs)
        {
            var cursor = new PageCursor(input);
            if (!cursor.AtEnd)
            {
                cursors.Add(cursor);
            }
        }

        var trace = new List<SpanRef>();
        var seen = new HashSet<SpanId>();
        var sinceCheck = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (pauseWhile is not null && ++sinceCheck >= TracesBetweenPauseChecks)
            {
                sinceCheck = 0;
                while (pauseWhile())
                {
                    cancellationToken.WaitHandle.WaitOne(PausePollInterval);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            var found = false;
            var next = default(TraceId);
            foreach (var cursor in cursors)
            {
                if (!cursor.AtEnd && (!found || cursor.Current.Row.TraceId < next))
                {
                    next = cursor.Current.Row.TraceId;
                    found = true;
                }
            }

            if (!found)
            {
                return;
            }

            trace.Clear();
            seen.Clear();
            foreach (var cursor in cursors)
            {
                while (!cursor.AtEnd && cursor.Current.Row.TraceId == next)
                {
                    if (seen.Add(cursor.Current.Row.SpanId))
                    {
                        trace.Add(cursor.Current);
                    }

                    cursor.Advance();
                }
            }

            trace.Sort(static (a, b) => a.Row.StartTimeUnixNano.CompareTo(b.Row.StartTimeUnixNano));
            output.AddTrace(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(trace));
        }
    }

    /// <summary>The next span of one input, loading its pages one after another.</summary>
    private sealed class PageCursor
    {
        private readonly BlockReaderV1 _block;
        private SpanBatch? _page;
        private int _pageIndex = -1;
        private int _row;

        public PageCursor(BlockReaderV1 block)
        {
            _block = block;
            NextPage();
        }

        public bool AtEnd => _page is null;

        public SpanRef Current => new(_page!, _row);

        public void Advance()
        {
            if (++_row >= _page!.SpanCount)
            {
                NextPage();
            }
        }

        private void NextPage()
        {
            _row = 0;
            while (++_pageIndex < _block.PageCount)
            {
                try
                {
                    _page = _block.ReadPage(_pageIndex);
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    throw new DamagedBlockException(_block, e);
                }

                if (_page.SpanCount > 0)
                {
                    return;
                }
            }

            _page = null;
        }
    }
}
