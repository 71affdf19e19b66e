using Ariadne.TraceQL.Ast;

namespace Ariadne.TraceQL.Evaluation;

/// <summary>Spans of one trace that a stage selected, with the values <c>by()</c> grouped them by.</summary>
internal sealed class Spanset
{
    public Spanset(TraceView trace, List<int> spans, IReadOnlyList<(string Name, StaticValue Value)>? groups = null)
    {
        Trace = trace;
        Spans = spans;
        Groups = groups ?? [];
    }

    public TraceView Trace { get; }

    /// <summary>Positions in <see cref="Trace"/>, ascending, each once.</summary>
    public List<int> Spans { get; }

    public IReadOnlyList<(string Name, StaticValue Value)> Groups { get; }
}
