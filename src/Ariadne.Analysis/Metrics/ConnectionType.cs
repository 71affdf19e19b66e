namespace Ariadne.Analysis.Metrics;

/// <summary>Tempo's <c>connection_type</c> label: what kind of peer an edge leads to.</summary>
internal enum ConnectionType : byte
{
    /// <summary>Both sides are instrumented (client and server span paired); the label is empty.</summary>
    Direct = 0,

    /// <summary>A client span whose server side never arrived; the server is named from the client's attributes.</summary>
    VirtualNode = 1,

    /// <summary>Producer → consumer, through a broker.</summary>
    MessagingSystem = 2,

    /// <summary>A client span to a database (it has <c>db.*</c> attributes); no server span is awaited.</summary>
    Database = 3,
}
