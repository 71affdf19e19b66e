using System.Text;
using Ariadne.Model;

namespace Ariadne.Analysis.Traces;

/// <summary>
/// The parent/child structure of one trace's spans, in arrays indexed by span row. Top-level spans
/// are the roots (no parent id) and the orphans (a parent id that is not in the trace); siblings and
/// top-level spans are ordered by start time, then longest first, then span id, so every analysis
/// built on the tree walks spans in one deterministic order. The trace is read, never changed.
/// </summary>
internal sealed class SpanTree
{
    private readonly int[] _parents;
    private readonly int[] _childStart;
    private readonly int[] _children;
    private readonly int[] _topLevel;
    private readonly int[] _preOrder;
    private readonly int[] _depths;
    private readonly int[] _resourceKeys;
    private readonly string[] _serviceByResource;
    private readonly string?[] _operations;

    private SpanTree(
        SpanBatch trace,
        int[] parents,
        int[] childStart,
        int[] children,
        int[] topLevel,
        int rootCount,
        OrphanSpan[] orphans,
        int[] preOrder,
        int[] depths,
        int[] resourceKeys,
        string[] serviceByResource)
    {
        Trace = trace;
        _parents = parents;
        _childStart = childStart;
        _children = children;
        _topLevel = topLevel;
        RootCount = rootCount;
        Orphans = orphans;
        _preOrder = preOrder;
        _depths = depths;
        _resourceKeys = resourceKeys;
        _serviceByResource = serviceByResource;
        _operations = new string?[parents.Length];
        PrimaryRoot = topLevel.Length == 0 ? -1 : topLevel[0];
        foreach (var span in topLevel)
        {
            if (!trace.Spans[span].ParentSpanId.IsValid)
            {
                PrimaryRoot = span;
                break;
            }
        }

        foreach (var depth in depths)
        {
            Depth = Math.Max(Depth, depth);
        }
    }

    public SpanBatch Trace { get; }

    public int Count => _parents.Length;

    /// <summary>Spans without a parent id. Orphans are top-level too but are not counted here.</summary>
    public int RootCount { get; }

    /// <summary>Spans whose parent is missing, in top-level order.</summary>
    public IReadOnlyList<OrphanSpan> Orphans { get; }

    /// <summary>
    /// The span the trace is read from: the earliest-starting root (the longest if several start
    /// together), or the earliest orphan when no root arrived; -1 for an empty trace.
    /// </summary>
    public int PrimaryRoot { get; }

    /// <summary>Levels in the deepest branch; a single span is depth 1, an empty trace 0.</summary>
    public int Depth { get; }

    /// <summary>Roots and orphans, in start order.</summary>
    public ReadOnlySpan<int> TopLevel => _topLevel;

    /// <summary>Every span once, depth first from the top-level spans, children in start order.</summary>
    public ReadOnlySpan<int> PreOrder => _preOrder;

    public ref readonly SpanRow Span(int span) => ref Trace.Spans[span];

    /// <summary>The parent's span index, or -1 for a top-level span.</summary>
    public int ParentOf(int span) => _parents[span];

    public ReadOnlySpan<int> ChildrenOf(int span) => _children.AsSpan(_childStart[span], _childStart[span + 1] - _childStart[span]);

    /// <summary>1 for a top-level span, 2 for its children, and so on.</summary>
    public int DepthOf(int span) => _depths[span];

    public ulong StartOf(int span) => Trace.Spans[span].StartTimeUnixNano;

    /// <summary>The end, never before the start (a span that claims to end before it starts lasts 0).</summary>
    public ulong EndOf(int span)
    {
        ref readonly var row = ref Trace.Spans[span];
        return row.StartTimeUnixNano + row.DurationNanos;
    }

    public ulong DurationOf(int span) => Trace.Spans[span].DurationNanos;

    public bool IsError(int span) => Trace.Spans[span].StatusCode == StatusCode.Error;

    /// <summary>The resource's <c>service.name</c>; empty when the resource has none.</summary>
    public string ServiceOf(int span) => _serviceByResource[Trace.Scopes[Trace.Spans[span].ScopeIndex].ResourceIndex];

    public string OperationOf(int span) => _operations[span] ??= Trace.GetString(Trace.Spans[span].Name);

    /// <summary>
    /// Equal for spans whose resources have the same attributes (the same process), even when the
    /// trace was assembled from batches that each carried their own copy of the resource.
    /// </summary>
    public int ResourceKeyOf(int span) => _resourceKeys[span];

    public static SpanTree Build(SpanBatch trace)
    {
        var rows = trace.Spans.Rows;
        var count = rows.Length;
        var byId = new Dictionary<ulong, int>(count);
        for (var i = 0; i < count; i++)
        {
            // A repeated span id keeps its first row as the parent its children attach to.
            byId.TryAdd(rows[i].SpanId.Value, i);
        }

        var parents = new int[count];
        var missingParent = new bool[count];
        for (var i = 0; i < count; i++)
        {
            parents[i] = -1;
            var parentId = rows[i].ParentSpanId;
            if (!parentId.IsValid)
            {
                continue;
            }

            if (byId.TryGetValue(parentId.Value, out var parent))
            {
                parents[i] = parent;
            }
            else
            {
                missingParent[i] = true;
            }
        }

        var cut = BreakCycles(parents);
        var topLevelList = new List<int>();
        var childCounts = new int[count + 1];
        for (var i = 0; i < count; i++)
        {
            if (parents[i] < 0)
            {
                topLevelList.Add(i);
            }
            else
            {
                childCounts[parents[i] + 1]++;
            }
        }

        var childStart = new int[count + 1];
        for (var i = 0; i < count; i++)
        {
            childStart[i + 1] = childStart[i] + childCounts[i + 1];
        }

        var children = new int[count - topLevelList.Count];
        var fill = new int[count];
        Array.Copy(childStart, fill, count);
        for (var i = 0; i < count; i++)
        {
            if (parents[i] >= 0)
            {
                children[fill[parents[i]]++] = i;
            }
        }

        var order = new StartOrder(trace);
        for (var i = 0; i < count; i++)
        {
            children.AsSpan(childStart[i], childStart[i + 1] - childStart[i]).Sort(order);
        }

        var topLevel = topLevelList.ToArray();
        topLevel.AsSpan().Sort(order);

        var rootCount = 0;
        var orphans = new List<OrphanSpan>();
        foreach (var span in topLevel)
        {
            if (missingParent[span] || cut[span])
            {
                orphans.Add(new OrphanSpan(span, rows[span].SpanId, rows[span].ParentSpanId, cut[span]));
            }
            else
            {
                rootCount++;
            }
        }

        var preOrder = new int[count];
        var depths = new int[count];
        WalkPreOrder(topLevel, childStart, children, preOrder, depths);
        var resourceKeys = ResourceKeys(trace, out var serviceByResource);
        return new SpanTree(trace, parents, childStart, children, topLevel, rootCount, orphans.ToArray(), preOrder, depths, resourceKeys, serviceByResource);
    }

    /// <summary>
    /// Parent links that loop (a span its own ancestor) would make every walk endless; the first span
    /// found on each loop loses its parent link and becomes top-level.
    /// </summary>
    private static bool[] BreakCycles(int[] parents)
    {
        const byte Unvisited = 0, OnPath = 1, Done = 2;
        var state = new byte[parents.Length];
        var cut = new bool[parents.Length];
        var path = new List<int>();
        for (var i = 0; i < parents.Length; i++)
        {
            path.Clear();
            var current = i;
            while (current >= 0 && state[current] == Unvisited)
            {
                state[current] = OnPath;
                path.Add(current);
                current = parents[current];
            }

            if (current >= 0 && state[current] == OnPath)
            {
                parents[current] = -1;
                cut[current] = true;
            }

            foreach (var span in path)
            {
                state[span] = Done;
            }
        }

        return cut;
    }

    private static void WalkPreOrder(int[] topLevel, int[] childStart, int[] children, int[] preOrder, int[] depths)
    {
        var written = 0;
        var stack = new Stack<int>();
        for (var t = topLevel.Length - 1; t >= 0; t--)
        {
            stack.Push(topLevel[t]);
            depths[topLevel[t]] = 1;
        }

        while (stack.Count > 0)
        {
            var span = stack.Pop();
            preOrder[written++] = span;
            for (var c = childStart[span + 1] - 1; c >= childStart[span]; c--)
            {
                depths[children[c]] = depths[span] + 1;
                stack.Push(children[c]);
            }
        }
    }

    private static int[] ResourceKeys(SpanBatch trace, out string[] serviceByResource)
    {
        var resourceCount = trace.Resources.Count;
        serviceByResource = new string[resourceCount];
        var keyByResource = new int[resourceCount];
        var keyBySignature = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 0; r < resourceCount; r++)
        {
            var attributes = trace.Resources[r].Attributes;
            serviceByResource[r] = trace.TryGetString(attributes, "service.name"u8, out var name) ? trace.GetString(name) : string.Empty;
            var signature = Signature(trace, attributes);
            if (!keyBySignature.TryGetValue(signature, out var key))
            {
                key = keyBySignature.Count;
                keyBySignature.Add(signature, key);
            }

            keyByResource[r] = key;
        }

        var rows = trace.Spans.Rows;
        var keys = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            keys[i] = keyByResource[trace.Scopes[rows[i].ScopeIndex].ResourceIndex];
        }

        return keys;
    }

    /// <summary>The resource's attributes in key order, as text; nested values compare by kind and size only.</summary>
    private static string Signature(SpanBatch trace, RowRange attributes)
    {
        var pairs = new List<(string Key, string Value)>(attributes.Count);
        foreach (ref readonly var kv in trace.AttributesOf(attributes))
        {
            var value = kv.Value;
            var text = value.Kind switch
            {
                ValueKind.String or ValueKind.Bytes => Convert.ToHexString(trace.Utf8(value.StringRef)),
                ValueKind.Array or ValueKind.KeyValueList => value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => value.Scalar.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            pairs.Add((trace.GetString(kv.Key), ((int)value.Kind).ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + text));
        }

        pairs.Sort(static (x, y) => string.CompareOrdinal(x.Key, y.Key));
        var signature = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            signature.Append(key).Append('\u0001').Append(value).Append('\u0002');
        }

        return signature.ToString();
    }

    private sealed class StartOrder : IComparer<int>
    {
        private readonly SpanBatch _trace;

        public StartOrder(SpanBatch trace) => _trace = trace;

        public int Compare(int x, int y)
        {
            ref readonly var a = ref _trace.Spans[x];
            ref readonly var b = ref _trace.Spans[y];
            var c = a.StartTimeUnixNano.CompareTo(b.StartTimeUnixNano);
            if (c != 0)
            {
                return c;
            }

            c = b.DurationNanos.CompareTo(a.DurationNanos);
            if (c != 0)
            {
                return c;
            }

            c = a.SpanId.CompareTo(b.SpanId);
            return c != 0 ? c : x.CompareTo(y);
        }
    }
}
