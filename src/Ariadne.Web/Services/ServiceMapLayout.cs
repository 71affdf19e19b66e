namespace Ariadne.Web.Services;

/// <summary>
/// Places the service graph left to right in layers (callers before callees, the longest call chain
/// deciding each node's layer, cycles broken where they close) and orders each layer by the mean
/// position of its callers, which keeps most edges from crossing. Small enough to run per request.
/// </summary>
internal sealed class ServiceMapLayout
{
    public const double LayerWidth = 360;
    public const double RowHeight = 84;
    public const double NodeWidth = 170;
    public const double NodeHeight = 40;
    public const double Margin = 24;

    private ServiceMapLayout(Dictionary<string, (double X, double Y)> positions, double width, double height)
    {
        Positions = positions;
        Width = width;
        Height = height;
    }

    /// <summary>Top-left corner of each node's box.</summary>
    public IReadOnlyDictionary<string, (double X, double Y)> Positions { get; }

    public double Width { get; }

    public double Height { get; }

    public static ServiceMapLayout Compute(IReadOnlyList<(string From, string To)> edges)
    {
        var nodes = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string name)
        {
            if (!index.TryGetValue(name, out var id))
            {
                id = nodes.Count;
                index.Add(name, id);
                nodes.Add(name);
            }

            return id;
        }

        var outgoing = new List<List<int>>();
        var incoming = new List<List<int>>();
        foreach (var (from, to) in edges)
        {
            var a = Id(from);
            var b = Id(to);
            while (outgoing.Count < nodes.Count)
            {
                outgoing.Add([]);
                incoming.Add([]);
            }

            if (a != b && !outgoing[a].Contains(b))
            {
                outgoing[a].Add(b);
                incoming[b].Add(a);
            }
        }

        // Drop the edges that close a cycle (found by a depth-first walk from the nodes nobody calls).
        var state = new byte[nodes.Count];
        var acyclic = new List<List<int>>(nodes.Count);
        for (var i = 0; i < nodes.Count; i++)
        {
            acyclic.Add([]);
        }

        void Visit(int node)
        {
            state[node] = 1;
            foreach (var next in outgoing[node])
            {
                if (state[next] == 1)
                {
                    continue;
                }

                acyclic[node].Add(next);
                if (state[next] == 0)
                {
                    Visit(next);
                }
            }

            state[node] = 2;
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            if (incoming[i].Count == 0 && state[i] == 0)
            {
                Visit(i);
            }
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            if (state[i] == 0)
            {
                Visit(i);
            }
        }

        // Longest path layering over the acyclic edges, in topological order.
        var indegree = new int[nodes.Count];
        foreach (var list in acyclic)
        {
            foreach (var next in list)
            {
                indegree[next]++;
            }
        }

        var layer = new int[nodes.Count];
        var queue = new Queue<int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (indegree[i] == 0)
            {
                queue.Enqueue(i);
            }
        }

        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var next in acyclic[node])
            {
                layer[next] = Math.Max(layer[next], layer[node] + 1);
                if (--indegree[next] == 0)
                {
                    queue.Enqueue(next);
                }
            }
        }

        var layers = new List<List<int>>();
        for (var i = 0; i < nodes.Count; i++)
        {
            while (layers.Count <= layer[i])
            {
                layers.Add([]);
            }

            layers[layer[i]].Add(i);
        }

        foreach (var list in layers)
        {
            list.Sort((x, y) => string.CompareOrdinal(nodes[x], nodes[y]));
        }

        var row = new double[nodes.Count];
        for (var sweep = 0; sweep < 2; sweep++)
        {
            foreach (var list in layers)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    row[list[i]] = i;
                }
            }

            for (var l = 1; l < layers.Count; l++)
            {
                var list = layers[l];
                var keys = new Dictionary<int, double>(list.Count);
                foreach (var node in list)
                {
                    var callers = incoming[node];
                    double sum = 0;
                    var n = 0;
                    foreach (var caller in callers)
                    {
                        if (layer[caller] < l)
                        {
                            sum += row[caller];
                            n++;
                        }
                    }

                    keys[node] = n == 0 ? row[node] : sum / n;
                }

                list.Sort((x, y) => keys[x] != keys[y] ? keys[x].CompareTo(keys[y]) : string.CompareOrdinal(nodes[x], nodes[y]));
                for (var i = 0; i < list.Count; i++)
                {
                    row[list[i]] = i;
                }
            }
        }

        var tallest = 0;
        foreach (var list in layers)
        {
            tallest = Math.Max(tallest, list.Count);
        }

        var positions = new Dictionary<string, (double X, double Y)>(StringComparer.Ordinal);
        for (var l = 0; l < layers.Count; l++)
        {
            var list = layers[l];
            var offset = (tallest - list.Count) * RowHeight / 2;
            for (var i = 0; i < list.Count; i++)
            {
                positions[nodes[list[i]]] = (Margin + (l * LayerWidth), Margin + offset + (i * RowHeight));
            }
        }

        var width = (Margin * 2) + (Math.Max(0, layers.Count - 1) * LayerWidth) + NodeWidth;
        var height = (Margin * 2) + (Math.Max(0, tallest - 1) * RowHeight) + NodeHeight;
        return new ServiceMapLayout(positions, width, height);
    }
}
